package io.wrenn.hostagent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** What a guest reports is clamped to what its sandbox was given: a lying guest misstates only its own use. */
class GuestFiguresTest {

    private static final long MEMORY = 512L << 20;
    private static final long DISK = 1024L << 20;

    private static GuestFigures read(String json) {
        return GuestFigures.from(JsonMapper.builder().build().readTree(json), MEMORY, DISK);
    }

    @Test
    void honestFiguresPassUnchanged() {
        GuestFigures figures = read("{\"mem_used\":1000,\"mem_total\":2000,\"disk_used\":300,\"disk_total\":900}");
        assertThat(figures).isEqualTo(new GuestFigures(1000, 2000, 300, 900));
    }

    @Test
    void figuresBeyondTheSandboxAreClamped() {
        GuestFigures figures = read("{\"mem_used\":9e18,\"mem_total\":99999999999999,\"disk_used\":-5,\"disk_total\":99999999999999}");
        assertThat(figures.memTotalBytes()).isEqualTo(MEMORY);
        assertThat(figures.memUsedBytes()).isZero(); // not an integer
        assertThat(figures.diskUsedBytes()).isZero();
        assertThat(figures.diskTotalBytes()).isEqualTo(DISK + DISK / 10);
    }

    @Test
    void usedNeverExceedsTotal() {
        GuestFigures figures = read("{\"mem_used\":4000,\"mem_total\":2000,\"disk_used\":4000,\"disk_total\":1000}");
        assertThat(figures.memUsedBytes()).isEqualTo(2000);
        assertThat(figures.diskUsedBytes()).isEqualTo(1000);
    }

    @Test
    void strangeTypesAreZero() {
        GuestFigures figures = read("{\"mem_used\":\"lots\",\"mem_total\":[1],\"disk_used\":null,\"disk_total\":{}}");
        assertThat(figures).isEqualTo(GuestFigures.UNKNOWN);
    }
}
