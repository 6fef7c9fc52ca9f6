package io.wrenn.controlplane.e2b;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChunkedBodyTest {

    private static String decode(String wire) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChunkedBody.copy(new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)), out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void decodesChunksWithExtensionsAndDropsTrailers() throws IOException {
        assertThat(decode("5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n")).isEqualTo("hello 0123456789");
    }

    @Test
    void refusesABrokenBody() {
        assertThatThrownBy(() -> decode("zz\r\nhello\r\n0\r\n\r\n")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decode("3\r\nhello\r\n0\r\n\r\n")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decode("5\r\nhel")).isInstanceOf(IOException.class);
    }
}
