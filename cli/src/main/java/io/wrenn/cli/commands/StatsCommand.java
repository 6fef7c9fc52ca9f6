package io.wrenn.cli.commands;

import io.wrenn.sdk.MetricsRange;
import io.wrenn.sdk.UsageStats;
import io.wrenn.sdk.Wrenn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wrenn sandbox stats}: what the team's sandboxes hold and use, now and at their peak. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Show the team's usage now and its 30-day peaks;",
                "--json adds the series over the range (the highest value of each step)."},
        footer = {"", "Examples:", "  wrenn sandbox stats", "  wrenn sandbox stats --range 24h --json"})
final class StatsCommand implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Option(names = "--range", paramLabel = "RANGE", defaultValue = "1h", converter = RangeConverter.class,
            description = "5m, 1h, 6h, 24h or 30d (default: ${DEFAULT-VALUE})")
    MetricsRange range;

    @Override
    public Integer call() {
        try (Wrenn wrenn = client.client()) {
            UsageStats stats = wrenn.sandboxes().stats(range);
            List<String[]> lines = new ArrayList<>();
            lines.addAll(describe("", stats.current()));
            lines.addAll(describe("peak ", stats.peaks()));
            output.value(stats, lines);
        }
        return 0;
    }

    private static List<String[]> describe(String prefix, UsageStats.Usage usage) {
        return List.of(new String[] {prefix + "running", String.valueOf(usage.running())},
                new String[] {prefix + "paused", String.valueOf(usage.paused())},
                new String[] {prefix + "vcpus reserved", String.valueOf(usage.vcpusReserved())},
                new String[] {prefix + "memory reserved", usage.memoryMbReserved() + " MiB"},
                new String[] {prefix + "vcpus used", String.format("%.2f", usage.vcpusUsed())},
                new String[] {prefix + "memory used", Sizes.bytes(usage.memoryUsedBytes())});
    }
}
