package io.wrenn.hostagent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DiskRateLimitTest {

    @Test
    void aGuestsDiskRateGrowsWithItsVcpusAndBurstsAboveIt() {
        DiskRateLimit limit = DiskRateLimit.of(4, Map.of(DiskRateLimit.MBPS_VARIABLE, "50", DiskRateLimit.IOPS_VARIABLE, "300"));

        assertThat(limit).isEqualTo(new DiskRateLimit(200L << 20, 1200));
        assertThat(limit.driveOptions()).containsExactly(
                "throttling.bps-total=" + (200L << 20), "throttling.bps-total-max=" + (800L << 20),
                "throttling.bps-total-max-length=10",
                "throttling.iops-total=1200", "throttling.iops-total-max=4800", "throttling.iops-total-max-length=10");
    }

    @Test
    void zeroLiftsALimitAndBadSettingsStopTheAgent() {
        assertThat(DiskRateLimit.of(2, Map.of(DiskRateLimit.MBPS_VARIABLE, "0")).driveOptions())
                .noneMatch(option -> option.startsWith("throttling.bps"))
                .contains("throttling.iops-total=4000");
        assertThat(DiskRateLimit.of(2, Map.of(DiskRateLimit.MBPS_VARIABLE, "0", DiskRateLimit.IOPS_VARIABLE, "0"))
                .driveOptions()).isEmpty();
        for (String bad : new String[] {"-1", "fast", "1e3", "1000001"}) {
            assertThatThrownBy(() -> DiskRateLimit.check(Map.of(DiskRateLimit.IOPS_VARIABLE, bad)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(DiskRateLimit.IOPS_VARIABLE);
        }
    }
}
