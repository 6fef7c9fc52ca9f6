package io.wrenn.envd.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.fuzz.Fuzz;
import io.wrenn.fuzz.Gen;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The guest agent's parsers of what comes over HTTP, fuzzed: multipart bodies (random bytes,
 * cut-off and well-formed ones), {@code Content-Disposition} parameters and {@code Range}. A
 * broken multipart body is an {@link IOException} (the handler's 400) and never a hang or another
 * exception; a well-formed one gives back exactly the parts written.
 */
class EnvdParsersFuzzTest {

    private static final String BOUNDARY = "b0undary";

    @Test
    void anyMultipartBodyEndsInPartsOrAnIoException() {
        Gen<byte[]> pieces = Gen.of("--" + BOUNDARY, "--" + BOUNDARY + "--", "\r\n", "\r", "\n", "--",
                "Content-Disposition: form-data; name=\"file\"; filename=\"a\"", "x", ":", "\r\n\r\n", "\0")
                .list(20).map(list -> String.join("", list).getBytes(StandardCharsets.UTF_8));
        Gen<byte[]> bodies = Gen.oneOf(Gen.bytes(600), pieces,
                Gen.ints(1, 40_000).map(n -> ("--" + BOUNDARY + "\r\n" + "h".repeat(n)).getBytes(StandardCharsets.UTF_8)));
        Gen<String> boundaries = Gen.oneOf(Gen.constant(BOUNDARY), Gen.strings('!', '~', 1, 70));
        Fuzz.check(1000, bodies, boundaries, (body, boundary) -> {
            try {
                MultipartStream stream = new MultipartStream(new ByteArrayInputStream(body), boundary);
                MultipartStream.Part part;
                int parts = 0;
                while ((part = stream.next()) != null) {
                    part.name();
                    part.filename();
                    part.content().readAllBytes();
                    assertThat(++parts).as("parts of a %d-byte body", body.length).isLessThanOrEqualTo(body.length);
                }
            } catch (IOException e) {
                // refused: the handler answers 400
            }
        });
    }

    @Test
    void aWellFormedBodyGivesBackItsParts() {
        Gen<byte[]> tricky = Gen.of("\r\n--" + BOUNDARY.substring(0, 4), "\r\n--", "--" + BOUNDARY, "\r\n\r\n", "\r")
                .map(text -> text.getBytes(StandardCharsets.UTF_8));
        Gen<byte[]> content = Gen.<byte[]>oneOf(Gen.bytes(300), tricky, Gen.ints(60_000, 140_000).map(byte[]::new),
                        Gen.combine(tricky, Gen.bytes(20), EnvdParsersFuzzTest::concat))
                .filter(bytes -> !new String(bytes, StandardCharsets.ISO_8859_1).contains("\r\n--" + BOUNDARY));
        Fuzz.check(500, content.list(4), contents -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int i = 0; i < contents.size(); i++) {
                body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f" + i
                        + "\"\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                body.writeBytes(contents.get(i));
                body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            body.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
            List<byte[]> read = new ArrayList<>();
            try {
                MultipartStream stream = new MultipartStream(new ByteArrayInputStream(body.toByteArray()), BOUNDARY);
                MultipartStream.Part part;
                while ((part = stream.next()) != null) {
                    assertThat(part.filename()).contains("f" + read.size());
                    read.add(part.content().readAllBytes());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(read).hasSameSizeAs(contents);
            for (int i = 0; i < contents.size(); i++) {
                assertThat(read.get(i)).isEqualTo(contents.get(i));
            }
        });
    }

    @Test
    void headerParametersNeverFail() {
        Gen<String> headers = Gen.oneOf(Gen.anyChars(80),
                Gen.of("form-data", ";", "; =", ";=;=", "; name=\"", "; name=\"a\\", "; name=\"a\\\"b\"; filename=x",
                        " ; ; ;", "form-data; name=file; filename=\"../../etc/passwd\"").list(5).map(parts -> String.join("", parts)));
        Fuzz.check(1000, headers, header ->
                HeaderParameters.parse(header).forEach((name, value) -> assertThat(name).isEqualTo(name.trim())));
    }

    @Test
    void aRangeIsInsideTheFileOrTheWholeFile() {
        Gen<String> number = Gen.oneOf(Gen.longs().map(String::valueOf), Gen.constant(""), Gen.numeric(25),
                Gen.of(" 1", "+1", "-0", "0x10"));
        Gen<String> ranges = Gen.oneOf(Gen.constant(null), Gen.anyChars(40),
                Gen.combine(number, number, (a, b) -> "bytes=" + a + "-" + b),
                Gen.combine(number, number, (a, b) -> " bytes = " + a + " - " + b + ",0-1"));
        Fuzz.check(1000, ranges, Gen.naturals(), (header, size) -> {
            switch (ByteRange.parse(Optional.ofNullable(header), size)) {
                case ByteRange.Request.Partial(ByteRange range) -> {
                    assertThat(range.first()).isBetween(0L, size - 1);
                    assertThat(range.last()).isBetween(range.first(), size - 1);
                }
                case ByteRange.Request.Whole() -> { }
                case ByteRange.Request.Unsatisfiable() -> { }
            }
        });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
