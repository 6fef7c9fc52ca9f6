package io.wrenn.systemtests.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.testkit.WrennProcesses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wrenn smoke} as an operator runs it after building images: a private Wrenn cold-boots
 * the template through the host agent's own command line and ruleset and checks the guest; a
 * template that does not exist fails the run with its exit code.
 */
@Tag("vm")
class SmokeCommandTest {
    @TempDir
    Path home;

    private record Ran(int exit, String out) {
    }

    private Ran smoke(String... templates) throws Exception {
        String[] args = new String[templates.length + 1];
        args[0] = "smoke";
        System.arraycopy(templates, 0, args, 1, templates.length);
        Process process = WrennProcesses.wrenn(home, args).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        return new Ran(process.exitValue(), out);
    }

    @Test
    void aTemplateBootsAndPassesEveryCheckAndAMissingOneFailsTheRun() throws Exception {
        Ran ok = smoke("minimal");
        assertThat(ok.exit()).as(ok.out()).isZero();
        assertThat(ok.out()).containsPattern("minimal #1: created in \\d+ ms; 5/5 checks passed")
                .contains("smoke: all boots passed");

        Ran missing = smoke("no-such-template");
        assertThat(missing.exit()).as(missing.out()).isEqualTo(1);
        assertThat(missing.out()).contains("no-such-template #1: create answered 404").contains("smoke: 1 boot(s) failed");
        // The private Wrenns' homes are temporary directories named wrenn-smoke-*: QEMU and
        // PostgreSQL of theirs would name them.
        assertThat(WrennProcesses.processesMentioning(Path.of(System.getProperty("java.io.tmpdir"), "wrenn-smoke-")))
                .as("nothing of the private Wrenns left running").isEmpty();
    }
}
