package io.wrenn.hostagent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCountersTest {

    @Test
    void cpuTimeIsUserPlusSystemTicksEvenWithSpacesInTheName(@TempDir Path root) throws IOException {
        Path proc = root.resolve("proc");
        Files.createDirectories(proc.resolve("42"));
        // Fields 14 and 15 (utime, stime) are 700 and 35.
        Files.writeString(proc.resolve("42/stat"),
                "42 (qemu system x86) S 1 42 42 0 -1 4194560 1000 0 0 0 700 35 0 0 20 0 3 0 100 1000000 5000 0\n");
        HostCounters counters = new HostCounters(proc, root.resolve("net"));
        assertThat(counters.cpuTicks(42)).isEqualTo(735);
        assertThat(counters.cpuTicks(43)).isEqualTo(-1);
    }

    @Test
    void interfaceCountersAreReadFromSysfs(@TempDir Path root) throws IOException {
        Path net = root.resolve("net");
        Files.createDirectories(net.resolve("wrh7/statistics"));
        Files.writeString(net.resolve("wrh7/statistics/tx_bytes"), "123456\n");
        HostCounters counters = new HostCounters(root.resolve("proc"), net);
        assertThat(counters.interfaceBytes("wrh7", "tx_bytes")).isEqualTo(123456);
        assertThat(counters.interfaceBytes("wrh7", "rx_bytes")).isEqualTo(-1);
    }

    @Test
    void theRealProcOfThisJvmReads() {
        assertThat(HostCounters.system().cpuTicks(ProcessHandle.current().pid())).isPositive();
    }
}
