package io.wrenn.envd.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.envd.json.Json;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessEventStreamerTest {

    @Test
    void aDataEventWrittenStraightToBytesIsTheJsonTheGeneralWriterWouldWrite() {
        byte[] data = new byte[70_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 131 + 17); // every byte value, quotes and backslashes included
        }
        for (OutputChunk.Stream stream : OutputChunk.Stream.values()) {
            String field = stream.name().toLowerCase(java.util.Locale.ROOT);
            byte[] json = ProcessEventStreamer.dataEvent(new OutputChunk(stream, data));

            assertThat(json).isEqualTo(Json.writeBytes(Map.of("event", Map.of("data",
                    Map.of(field, Base64.getEncoder().encodeToString(data))))));
        }
    }
}
