package io.wrenn.cli.commands;

import io.wrenn.sdk.MetricsRange;
import io.wrenn.sdk.SandboxMetrics;
import io.wrenn.sdk.Wrenn;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wrenn sandbox metrics}: a sandbox's CPU, memory, disk and network, step by step. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {"Show a sandbox's CPU, memory, disk and network over a range ending now.",
                "The table has the steps measured; --json has every step (null where none was)."},
        footer = {"", "Examples:", "  wrenn sandbox metrics sb-…", "  wrenn sandbox metrics sb-… --range 1h --json"})
final class MetricsCommand implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(paramLabel = "SANDBOX") String id;
    @Option(names = "--range", paramLabel = "RANGE", defaultValue = "10m", converter = RangeConverter.class,
            description = "5m, 10m, 1h, 2h, 6h, 12h, 24h, 7d or 30d (default: ${DEFAULT-VALUE})")
    MetricsRange range;

    @Override
    public Integer call() {
        try (Wrenn wrenn = client.client()) {
            SandboxMetrics metrics = wrenn.sandboxes().connect(id).metrics(range);
            if (output.json) {
                output.value(metrics, List.of());
                return 0;
            }
            output.table(metrics.points().stream().filter(SandboxMetrics.Point::measured).toList(),
                    List.of("TIME", "CPU%", "CPU%_MAX", "MEM_USED", "MEM_TOTAL", "DISK_USED", "NET_RX", "NET_TX"),
                    p -> List.of(p.timestamp().toString(), String.format("%.1f", p.cpuPct()),
                            String.format("%.1f", p.cpuPctMax()), Sizes.bytes(p.memUsedBytes()),
                            Sizes.bytes(p.memTotalBytes()), Sizes.bytes(p.diskUsedBytes()), Sizes.bytes(p.netRxBytes()),
                            Sizes.bytes(p.netTxBytes())));
        }
        return 0;
    }
}
