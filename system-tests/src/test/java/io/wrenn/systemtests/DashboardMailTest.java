package io.wrenn.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.controlplane.ControlPlane;
import io.wrenn.controlplane.ControlPlaneConfig;
import io.wrenn.controlplane.auth.Bootstrap;
import io.wrenn.controlplane.testing.SmtpServer;
import io.wrenn.embeddeddb.EmbeddedDatabase;
import io.wrenn.testkit.WrennProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's pages about addresses on a Wrenn that sends mail, in Debian's Chromium
 * ({@code src/test/dashboard-e2e/mail.test.mjs}): sign-up's check-your-email panel, the mailed
 * link's verify page, the log-in of a sign-up still waiting for its link (and its new link), the
 * notice that lets a signed-in person with an unverified address verify it, and the audit log at
 * 1280 pixels and in a narrow window; axe-core on each. The mail goes through a real SMTP server
 * (aiosmtpd) whose Maildir the script reads.
 *
 * <p>Account pages need no sandbox, so this Wrenn is a control plane on its embedded PostgreSQL
 * with no host: nothing boots. Needs the dashboard built into the control plane and Node.js 20+.
 */
@Tag("vm")
class DashboardMailTest {

    @Test
    void addressesAreVerifiedThroughTheDashboard() throws Exception {
        Path work = DashboardE2e.prepare();
        Path home = Files.createTempDirectory("wrenn-dashboard-mail-");
        int port = WrennProcesses.freePort();
        String base = "http://127.0.0.1:" + port;
        try (SmtpServer smtp = new SmtpServer();
             EmbeddedDatabase database = EmbeddedDatabase.start(home.resolve("postgres"));
             ControlPlane wrenn = new ControlPlane(ControlPlaneConfig.builder()
                     .bindHost("127.0.0.1")
                     .port(port)
                     .jdbcUrl(database.jdbcUrl())
                     .jdbcUser(database.user())
                     .jdbcPassword(database.password())
                     .agentSecret("no-host-is-registered")
                     .buildFilesDir(home.resolve("build-files"))
                     .mail(smtp.settings(base))
                     .build()).start()) {
            Bootstrap.Result bootstrap = wrenn.bootstrap();
            assertThat(DashboardE2e.get(base + "/")).as("the control plane serves the built dashboard at /").contains("<div id=\"app\">");
            DashboardE2e.runSuite(work, "mail.test.mjs", Map.of(
                    "WRENN_URL", base,
                    "WRENN_ADMIN_EMAIL", bootstrap.adminEmail(),
                    "WRENN_ADMIN_PASSWORD", bootstrap.adminPassword().orElseThrow(),
                    "MAILDIR", smtp.maildir().toString()), 600);
        } finally {
            try (var paths = Files.walk(home)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                System.out.println("could not remove " + home + ": " + e);
            }
        }
    }
}
