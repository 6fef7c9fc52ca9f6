package io.wrenn.hostagent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpHeadTest {

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void readsAHeadAndLeavesWhatFollowsInTheStream() throws IOException {
        InputStream in = stream("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\nframe");
        HttpHead head = HttpHead.read(in);
        assertThat(head.startLine()).isEqualTo("GET /ws HTTP/1.1");
        assertThat(head.first("upgrade")).contains("websocket");
        assertThat(head.isUpgrade()).isTrue();
        assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("frame");
        assertThat(HttpHead.read(stream(new String(head.encode(), StandardCharsets.ISO_8859_1)))).isEqualTo(head);
    }

    @Test
    void aStatusLineGivesItsStatus() throws IOException {
        assertThat(HttpHead.read(stream("HTTP/1.1 101 Switching Protocols\r\n\r\n")).status()).isEqualTo(101);
        assertThat(HttpHead.read(stream("SSH-2.0-x\r\n\r\n")).status()).isEqualTo(-1);
    }

    @Test
    void refusesWhatIsNotAHead() {
        assertThatThrownBy(() -> HttpHead.read(stream("GET / HTTP/1.1\nHost: a\n\n"))).isInstanceOf(HttpHead.MalformedHead.class);
        assertThatThrownBy(() -> HttpHead.read(stream("GET / HTTP/1.1\r\nno colon\r\n\r\n"))).isInstanceOf(HttpHead.MalformedHead.class);
        assertThatThrownBy(() -> HttpHead.read(stream("GET / HTTP/1.1\r\nA: " + "x".repeat(HttpHead.MAX_BYTES) + "\r\n\r\n")))
                .isInstanceOf(HttpHead.MalformedHead.class);
        assertThatThrownBy(() -> HttpHead.read(stream("GET / HTTP/1.1\r\nHost: a\r\n"))).isInstanceOf(EOFException.class);
    }
}
