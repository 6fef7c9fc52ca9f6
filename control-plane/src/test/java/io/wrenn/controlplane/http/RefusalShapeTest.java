package io.wrenn.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.testing.TestControlPlane;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refusals that come from below the routes (the HTTP parser, the size limits) are answered in
 * the API's shape too: a status and a JSON {@code {code, message}} (E2B's shape under
 * {@code /e2b/}), never an HTML page or a reset connection. Spoken over raw sockets, since a
 * well-behaved client cannot send most of these requests.
 */
class RefusalShapeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    @RegisterExtension
    static final TestControlPlane wrenn = new TestControlPlane();

    @Test
    void aFiftyMegabyteBodyIsRefusedWith413NotAReset() throws IOException {
        Answer answer = sendWithBody("POST /v1/sandboxes", 50 << 20);
        assertThat(answer.status).as(answer.toString()).isEqualTo(413);
        assertThat(answer.json().get("code").stringValue()).isEqualTo("payload_too_large");
        assertThat(answer.json().get("message").stringValue()).isNotBlank();
    }

    @Test
    void aLargeBodyRefusedForMissingCredentialsStillGetsItsAnswer() throws IOException {
        String head = "PUT /v1/sandboxes/sb-1/files?path=/tmp/x HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: " + (20 << 20) + "\r\n\r\n";
        Answer answer = exchange(head, 20 << 20, false);
        assertThat(answer.status).as(answer.toString()).isEqualTo(401);
        assertThat(answer.json().get("code").stringValue()).isEqualTo("unauthorized");
    }

    @Test
    void aTooLargeBodyUnderE2bIsRefusedInE2bShape() throws IOException {
        Answer answer = sendWithBody("POST /e2b/sandboxes", 50 << 20);
        assertThat(answer.status).as(answer.toString()).isEqualTo(413);
        assertThat(answer.json().get("code").intValue()).isEqualTo(413);
        assertThat(answer.json().get("message").stringValue()).isNotBlank();
    }

    @Test
    void aBodyWithoutLengthThatGrowsTooLargeIsRefusedWith413() throws IOException {
        Answer answer = sendChunked("POST /v1/sandboxes", 8 << 20);
        assertThat(answer.status).as(answer.toString()).isEqualTo(413);
        assertThat(answer.json().get("code").stringValue()).isEqualTo("payload_too_large");
    }

    @Test
    void anOversizedHeaderIsJson431() throws IOException {
        Answer answer = raw("GET /v1/sandboxes HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(answer.status).as(answer.toString()).isEqualTo(431);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.json().get("code").stringValue()).isEqualTo("request_headers_too_large");
        assertThat(answer.body()).doesNotContainIgnoringCase("<html").doesNotContain("Jetty");
    }

    @Test
    void anOversizedHeaderUnderE2bIsInE2bShape() throws IOException {
        Answer answer = raw("GET /e2b/sandboxes HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(answer.status).as(answer.toString()).isEqualTo(431);
        assertThat(answer.json().get("code").intValue()).isEqualTo(431);
    }

    @Test
    void aRequestLineThatIsNotHttpIsJson400() throws IOException {
        Answer answer = raw("this is not http\r\n\r\n");
        assertThat(answer.status).as(answer.toString()).isEqualTo(400);
        assertJsonError(answer, "invalid_request");
    }

    @Test
    void aBadUriIsJson400() throws IOException {
        Answer answer = raw("GET /v1/sandboxes/%zz%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(answer.status).as(answer.toString()).isEqualTo(400);
        assertJsonError(answer, "invalid_request");
    }

    @Test
    void anAmbiguousPathIsJson400() throws IOException {
        Answer answer = raw("GET /v1/sandboxes/..%2F..%2Fetc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(answer.status).as(answer.toString()).isBetween(400, 404);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.json().get("code").isString()).isTrue();
    }

    @Test
    void anUnknownMethodIsJson() throws IOException {
        Answer answer = raw("BREW /v1/sandboxes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(answer.status).as(answer.toString()).isIn(400, 404, 405, 501);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.json().get("code").isString()).isTrue();
        assertThat(answer.json().get("message").isString()).isTrue();
    }

    @Test
    void aMissingHostHeaderIsJson400() throws IOException {
        Answer answer = raw("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertThat(answer.status).as(answer.toString()).isEqualTo(400);
        assertJsonError(answer, "invalid_request");
    }

    @Test
    void aBadContentLengthIsJson400() throws IOException {
        Answer answer = raw("POST /v1/sandboxes HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\nConnection: close\r\n\r\n{}");
        assertThat(answer.status).as(answer.toString()).isEqualTo(400);
        assertJsonError(answer, "invalid_request");
    }

    private static void assertJsonError(Answer answer, String code) {
        assertThat(answer.contentType()).as(answer.toString()).startsWith("application/json");
        assertThat(answer.json().get("code").stringValue()).isEqualTo(code);
        assertThat(answer.json().get("message").stringValue()).isNotBlank();
        assertThat(answer.body()).doesNotContainIgnoringCase("<html").doesNotContain("Jetty", "Exception");
    }

    /** Sends the head, then up to {@code size} bytes of body while the server lets it; reads the answer. */
    private static Answer sendWithBody(String requestLine, int size) throws IOException {
        String head = requestLine + " HTTP/1.1\r\nHost: x\r\nX-API-Key: " + wrenn.apiKey
                + "\r\nContent-Type: application/json\r\nContent-Length: " + size + "\r\n\r\n";
        return exchange(head, size, false);
    }

    private static Answer sendChunked(String requestLine, int size) throws IOException {
        String head = requestLine + " HTTP/1.1\r\nHost: x\r\nX-API-Key: " + wrenn.apiKey
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        return exchange(head, size, true);
    }

    private static Answer exchange(String head, int size, boolean chunked) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", wrenn.controlPlane.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[64 * 1024];
            Arrays.fill(block, (byte) ' ');
            int sent = 0;
            try {
                // A client that writes its whole body before reading (as most do) must still
                // get the answer: the server may stop reading, so stop when the socket says so.
                while (sent < size) {
                    int n = Math.min(block.length, size - sent);
                    if (chunked) {
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(block, 0, n);
                    if (chunked) {
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    sent += n;
                }
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            } catch (SocketException e) {
                // The server closed on the body: such a client sees a broken connection.
                return new Answer(0, "", "connection cut after " + sent + " body bytes: " + e);
            }
            return read(socket.getInputStream());
        }
    }

    private static Answer raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", wrenn.controlPlane.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return read(socket.getInputStream());
        }
    }

    /** Reads one response: the status line, the headers and a Content-Length or chunked body. */
    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        String contentType = "";
        int length = -1;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-type" -> contentType = value;
                case "content-length" -> length = Integer.parseInt(value);
                case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                default -> {
                }
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (int n = Integer.parseInt(line(in).trim(), 16); n > 0; n = Integer.parseInt(line(in).trim(), 16)) {
                body.write(in.readNBytes(n));
                line(in);
            }
        } else if (length >= 0) {
            body.write(in.readNBytes(length));
        } else {
            body.write(in.readAllBytes());
        }
        return new Answer(status, contentType, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed mid-line after: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private record Answer(int status, String contentType, String body) {

        JsonNode json() {
            return JSON.readTree(body);
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + body;
        }
    }
}
