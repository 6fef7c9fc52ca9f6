package io.wrenn.envd.files;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MultipartStreamTest {
    /** Hands out at most a few bytes per read, so delimiters arrive split across reads. */
    private static InputStream trickle(byte[] bytes) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 3));
            }
        };
    }

    @Test
    void readsPartsWhoseContentResemblesTheDelimiter() throws Exception {
        byte[] tricky = "a\r\n--boundar\r\n-\r\n--boundaryX".getBytes(StandardCharsets.ISO_8859_1);
        byte[] binary = new byte[200_000];
        new Random(1).nextBytes(binary);
        var body = new ByteArrayOutputStream();
        body.writeBytes("--boundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.txt\"\r\n\r\n".getBytes());
        body.writeBytes(tricky);
        body.writeBytes("\r\n--boundary\r\ncontent-disposition: form-data; name=\"file\"; filename=\"b\\\"q.bin\"\r\n\r\n".getBytes());
        body.writeBytes(binary);
        body.writeBytes("\r\n--boundary--\r\nepilogue".getBytes());

        var stream = new MultipartStream(trickle(body.toByteArray()), "boundary");

        var first = stream.next();
        assertThat(first.name()).contains("file");
        assertThat(first.filename()).contains("t.txt");
        assertThat(first.content().readAllBytes()).isEqualTo(tricky);
        var second = stream.next();
        assertThat(second.filename()).contains("b\"q.bin");
        assertThat(second.content().readAllBytes()).isEqualTo(binary);
        assertThat(stream.next()).isNull();
    }

    @Test
    void unreadPartsAreSkipped() throws Exception {
        String body = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nskip me\r\n--b\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nkeep\r\n--b--";
        var stream = new MultipartStream(trickle(body.getBytes()), "b");

        assertThat(stream.next().name()).contains("x");
        var second = stream.next();
        assertThat(new String(second.content().readAllBytes())).isEqualTo("keep");
        assertThat(stream.next()).isNull();
    }

    @Test
    void aTruncatedBodyIsAnError() throws Exception {
        String body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nno end";
        var part = new MultipartStream(new ByteArrayInputStream(body.getBytes()), "b").next();
        assertThatThrownBy(() -> part.content().readAllBytes()).isInstanceOf(IOException.class);
    }
}
