package io.wrenn.cli;

import java.time.Duration;

/**
 * What sampling costs the host agent over a window: the CPU time of the sampler's own thread
 * (reading /proc and /sys for every running VM, storing samples), the guests asked for their
 * figures meanwhile, and the CPU of the whole Wrenn process (agent and control plane, whose
 * collector stores the samples) for comparison.
 */
record SamplerCost(Duration window, Duration samplerCpu, long passes, long guestReads, Duration processCpu) {

    static SamplerCost measure(AllInOne wrenn, Duration window) throws InterruptedException {
        var meters = wrenn.agent().metrics().meters();
        Duration cpu0 = meters.samplerCpu();
        long reads0 = meters.guestReads();
        Duration process0 = cpuOfThisProcess();
        Thread.sleep(window.toMillis());
        long passes = window.toSeconds() / io.wrenn.hostagent.metrics.SamplingSchedule.PERIOD.toSeconds();
        return new SamplerCost(window, meters.samplerCpu().minus(cpu0), passes, meters.guestReads() - reads0,
                cpuOfThisProcess().minus(process0));
    }

    private static Duration cpuOfThisProcess() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The sampler thread's mean CPU per pass, in milliseconds. */
    double perPassMs() {
        return samplerCpu.toNanos() / 1e6 / Math.max(1, passes);
    }

    String note(int sandboxes) {
        double samplerPct = 100.0 * samplerCpu.toNanos() / window.toNanos();
        double processPct = 100.0 * processCpu.toNanos() / window.toNanos();
        return ("sampler with %d idle sandboxes: %.3f %% of one core (%d guest reads in %d s); whole Wrenn process %.1f %%"
                + (sandboxes > 0 ? "; per 100 sandboxes: %.3f %%" : "")).formatted(sandboxes, samplerPct, guestReads,
                window.toSeconds(), processPct, sandboxes > 0 ? samplerPct * 100 / sandboxes : 0.0);
    }
}
