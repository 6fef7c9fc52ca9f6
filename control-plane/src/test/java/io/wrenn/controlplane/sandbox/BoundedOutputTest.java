package io.wrenn.controlplane.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedOutputTest {

    @Test
    void keepsUpToTheLimitAndCountsTheRest() {
        BoundedOutput out = new BoundedOutput(5);
        out.append(ByteString.copyFromUtf8("abc"));
        assertThat(out.truncated()).isFalse();
        out.append(ByteString.copyFromUtf8("defg"));
        assertThat(out.truncated()).isTrue();
        assertThat(new String(out.bytes(), StandardCharsets.UTF_8)).isEqualTo("abcde");
    }

    @Test
    void dropsACharacterCutInHalf() {
        BoundedOutput out = new BoundedOutput(4);
        out.append(ByteString.copyFromUtf8("a€b")); // € is three bytes: a + first three bytes = 4
        assertThat(out.bytes()).containsExactly("a€".getBytes(StandardCharsets.UTF_8));
        BoundedOutput cut = new BoundedOutput(3);
        cut.append(ByteString.copyFromUtf8("a€"));
        assertThat(new String(cut.bytes(), StandardCharsets.UTF_8)).isEqualTo("a");
        assertThat(BoundedOutput.isUtf8(cut.bytes())).isTrue();
    }

    @Test
    void untruncatedInvalidBytesStayAsTheyAre() {
        BoundedOutput out = new BoundedOutput(10);
        out.append(ByteString.copyFrom(new byte[] {'a', (byte) 0xe2}));
        assertThat(out.bytes()).containsExactly('a', (byte) 0xe2);
        assertThat(BoundedOutput.isUtf8(out.bytes())).isFalse();
    }
}
