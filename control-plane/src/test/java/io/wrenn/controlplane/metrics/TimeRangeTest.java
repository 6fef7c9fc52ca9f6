package io.wrenn.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.controlplane.http.ApiException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeRangeTest {

    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private static final Instant CREATED = NOW.minus(Duration.ofHours(3));

    private static TimeRange parse(String range, String start, String end) {
        return TimeRange.parse(range, start, end, TimeRange.SANDBOX_RANGES, "10m", CREATED, NOW);
    }

    @Test
    void aNamedRangeEndsNow() {
        assertThat(parse("1h", null, null)).isEqualTo(new TimeRange(NOW.minus(Duration.ofHours(1)), NOW));
        assertThat(parse(null, null, null).span()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void explicitBoundsDefaultToCreationAndNowAndTheFutureIsCut() {
        assertThat(parse(null, null, null).end()).isEqualTo(NOW);
        assertThat(parse(null, null, Long.toString(NOW.getEpochSecond() + 3600)))
                .isEqualTo(new TimeRange(CREATED, NOW));
        TimeRange future = parse(null, Long.toString(NOW.getEpochSecond() + 60), Long.toString(NOW.getEpochSecond() + 120));
        assertThat(future.span()).isZero();
        assertThat(future.end()).isEqualTo(NOW);
    }

    @Test
    void badRangesAreRefused() {
        for (String[] bad : new String[][] {{"3m", null, null}, {"", null, null}, {"1h", "1", null},
                {null, "x", null}, {null, "200", "100"}, {null, "1", Long.toString(NOW.getEpochSecond())},
                {null, "-1", null}, {null, "123456789012", null}}) {
            assertThatThrownBy(() -> parse(bad[0], bad[1], bad[2])).as(String.join(",", String.valueOf(bad[0]),
                    String.valueOf(bad[1]), String.valueOf(bad[2]))).isInstanceOf(ApiException.class);
        }
    }

    @Test
    void e2bRangesDefaultToTheSandboxsLifeAndAreCutNotRefused() {
        assertThat(TimeRange.parseE2b(null, null, CREATED, NOW)).contains(new TimeRange(CREATED, NOW));
        assertThat(TimeRange.parseE2b("0", null, CREATED, NOW)).as("nothing before the sandbox").contains(new TimeRange(CREATED, NOW));
        assertThat(TimeRange.parseE2b("0", null, NOW.minus(Duration.ofDays(90)), NOW)).contains(new TimeRange(NOW.minus(TimeRange.LONGEST), NOW));
        String later = Long.toString(NOW.getEpochSecond() + 600);
        assertThat(TimeRange.parseE2b(later, Long.toString(NOW.getEpochSecond() + 900), CREATED, NOW))
                .as("wholly in the future: no step has happened").isEmpty();
        assertThat(TimeRange.parseE2b(later, null, CREATED, NOW)).isEmpty();
        assertThatThrownBy(() -> TimeRange.parseE2b("200", "100", CREATED, NOW)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> TimeRange.parseE2b("-5", null, CREATED, NOW)).isInstanceOf(ApiException.class);
    }

    @Test
    void theTierIsTheFinestThatHoldsTheRange() {
        assertThat(Tier.forRange(NOW.minus(Duration.ofHours(1)), Duration.ofHours(1), NOW)).isEqualTo(Tier.FINE);
        assertThat(Tier.forRange(NOW.minus(Duration.ofHours(12)), Duration.ofMinutes(10), NOW)).isEqualTo(Tier.MINUTE);
        assertThat(Tier.forRange(NOW.minus(Duration.ofHours(24)), Duration.ofHours(24), NOW)).isEqualTo(Tier.MINUTE);
        assertThat(Tier.forRange(NOW.minus(Duration.ofDays(7)), Duration.ofDays(7), NOW)).isEqualTo(Tier.HOUR);
        assertThat(Tier.forRange(NOW.minus(Duration.ofDays(20)), Duration.ofHours(1), NOW)).isEqualTo(Tier.HOUR);
    }

    @Test
    void stepsStartAtMultiplesOfTheStep() {
        TimeRange range = new TimeRange(Instant.parse("2026-12-04T12:00:03Z"), Instant.parse("2026-12-04T12:00:21Z"));
        assertThat(SandboxMetrics.Steps.of(range, Duration.ofSeconds(5))).containsExactly(
                Instant.parse("2026-12-04T12:00:00Z"), Instant.parse("2026-12-04T12:00:05Z"),
                Instant.parse("2026-12-04T12:00:10Z"), Instant.parse("2026-12-04T12:00:15Z"),
                Instant.parse("2026-12-04T12:00:20Z"));
    }
}
