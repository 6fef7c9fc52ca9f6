package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.testkit.WrennFixture;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The web dashboard in a real browser against a real Wrenn: {@code src/test/dashboard-e2e} drives
 * Debian's Chromium ({@code /usr/bin/chromium}, the {@code chromium} package that {@code ./wrenn}
 * installs) with playwright-core from npm, pinned by its lockfile, through sign-up, a sandbox's
 * life (one cold boot of {@code minimal}, one restore from its snapshot), its files, terminal,
 * processes (a process's output, a kill), events and console, the OAuth buttons and callback page,
 * the team, keys, audit, stats and admin pages, with axe-core's accessibility check on each page.
 * Screenshots land in {@code target/screenshots}.
 *
 * <p>Needs the dashboard built into the control plane ({@code ./wrenn test} builds it first) and
 * Node.js 20 or newer.
 */
@Tag("vm")
class DashboardTest {

    @Test
    void aPersonUsesWrennThroughTheDashboard() throws Exception {
        Path work = DashboardE2e.prepare();

        try (WrennFixture wrenn = WrennFixture.start()) {
            String base = "http://127.0.0.1:" + wrenn.apiPort();
            assertThat(DashboardE2e.get(base + "/")).as("the control plane serves the built dashboard at /").contains("<div id=\"app\">");
            DashboardE2e.runSuite(work, "dashboard.test.mjs", Map.of(
                    "WRENN_URL", base,
                    "WRENN_ADMIN_EMAIL", wrenn.wrenn().adminEmail(),
                    "WRENN_ADMIN_PASSWORD", wrenn.wrenn().adminPassword()), 1200);
            assertThat(wrenn.runningVmCount()).as("the browser deleted both sandboxes").isZero();
        }
    }
}
