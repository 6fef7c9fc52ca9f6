package io.wrenn.controlplane.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class WireIdTest {

    @Test
    void roundTripsEveryKindOfUuid() {
        UUID[] samples = {new UUID(0, 0), new UUID(-1, -1), new UUID(Long.MIN_VALUE, 1), UUID.randomUUID(), UUID.randomUUID()};
        for (WireId kind : WireId.values()) {
            for (UUID uuid : samples) {
                String wire = kind.encode(uuid);
                assertThat(wire).startsWith(kind.prefix()).hasSize(kind.prefix().length() + 25).matches("[a-z]+-[0-9a-z]{25}");
                assertThat(kind.decode(wire)).contains(uuid);
            }
        }
    }

    @Test
    void theWireFormIsTheIdsBitsInBase36LeftPadded() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            UUID uuid = new UUID(random.nextLong(), random.nextLong());
            java.math.BigInteger bits = new java.math.BigInteger(1, java.nio.ByteBuffer.allocate(16)
                    .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
            String digits = bits.toString(36);
            assertThat(WireId.SANDBOX.encode(uuid)).isEqualTo("sb-" + "0".repeat(25 - digits.length()) + digits);
        }
    }

    @Test
    void knownValues() {
        assertThat(WireId.SANDBOX.encode(new UUID(0, 0))).isEqualTo("sb-0000000000000000000000000");
        assertThat(WireId.TEAM.encode(new UUID(0, 1))).isEqualTo("team-0000000000000000000000001");
        assertThat(WireId.HOST.encode(new UUID(-1, -1))).isEqualTo("host-f5lxx1zz5pnorynqglhzmsp33");
    }

    @Test
    void rejectsAnythingMalformed() {
        String good = WireId.SANDBOX.encode(UUID.randomUUID());
        assertThat(WireId.TEMPLATE.decode(good)).isEmpty();
        assertThat(WireId.SANDBOX.decode(null)).isEmpty();
        assertThat(WireId.SANDBOX.decode("")).isEmpty();
        assertThat(WireId.SANDBOX.decode("sb-")).isEmpty();
        assertThat(WireId.SANDBOX.decode(good + "0")).isEmpty();
        assertThat(WireId.SANDBOX.decode(good.substring(0, good.length() - 1))).isEmpty();
        assertThat(WireId.SANDBOX.decode(good.toUpperCase())).isEmpty();
        assertThat(WireId.SANDBOX.decode("sb-000000000000000000000000-")).isEmpty();
        assertThat(WireId.SANDBOX.decode("sb-+00000000000000000000000")).isEmpty();
        // 36^25 - 1 does not fit in 128 bits.
        assertThat(WireId.SANDBOX.decode("sb-zzzzzzzzzzzzzzzzzzzzzzzzz")).isEmpty();
        assertThat(WireId.SANDBOX.decode(UUID.randomUUID().toString())).isEmpty();
    }
}
