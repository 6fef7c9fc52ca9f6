package io.wrenn.hostagent.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionHeadTest {

    @Test
    void theHostHeaderOfAnHttpRequestIsItsNameAndTheBytesAreKept() throws IOException {
        String request = "GET / HTTP/1.1\r\nhOsT: Allowed.Test.Wrenn:8080\r\nAccept: */*\r\n\r\nbody";
        ConnectionHead head = ConnectionHead.readHttp(new ByteArrayInputStream(request.getBytes(StandardCharsets.US_ASCII)));
        assertThat(head.name()).contains("allowed.test.wrenn");
        assertThat(new String(head.bytes(), StandardCharsets.US_ASCII)).isEqualTo(request.substring(0, request.indexOf("body")));
    }

    @Test
    void aRequestWithoutOneHostOrUnfinishedNamesNothing() throws IOException {
        for (String request : List.of("GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.1\r\nHost: a.com\r\nHost: b.com\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a.com\r\n", "GET / HTTP/1.1\r\nHost: a.com/../x\r\n\r\n")) {
            assertThat(ConnectionHead.readHttp(new ByteArrayInputStream(request.getBytes(StandardCharsets.US_ASCII))).name())
                    .as(request).isEmpty();
        }
    }

    @Test
    void theServerNameOfARealClientHelloIsRead() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread client = Thread.ofVirtual().start(() -> {
                try (SSLSocket tls = (SSLSocket) SSLContext.getDefault().getSocketFactory()
                        .createSocket("127.0.0.1", server.getLocalPort())) {
                    SSLParameters parameters = tls.getSSLParameters();
                    parameters.setServerNames(List.of(new SNIHostName("Registry.Example.com")));
                    tls.setSSLParameters(parameters);
                    tls.startHandshake();
                } catch (IOException | java.security.GeneralSecurityException e) {
                    // the server never answers the handshake
                }
            });
            try (Socket accepted = server.accept()) {
                ConnectionHead head = ConnectionHead.readTls(accepted.getInputStream());
                assertThat(head.name()).contains("registry.example.com");
                assertThat(head.bytes()[0]).isEqualTo((byte) 0x16);
            }
            client.join();
        }
    }

    @Test
    void notTlsOrNoServerNameNamesNothing() throws IOException {
        assertThat(ConnectionHead.readTls(new ByteArrayInputStream("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).name())
                .isEmpty();
        byte[] truncated = {0x16, 3, 1, 0, 40, 1, 0, 0, 36, 3, 3};
        assertThat(ConnectionHead.readTls(new ByteArrayInputStream(truncated)).name()).isEmpty();
    }
}
