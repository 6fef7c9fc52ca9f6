package io.wrenn.controlplane.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GuestScriptsTest {

    @Test
    void theImportScriptIsValidShellAboutTheUploadedTarball() throws Exception {
        String script = GuestScripts.importRootFilesystem();
        assertThat(script).contains("tar=" + GuestScripts.IMPORT_TAR).contains("refused: ");
        // parsed (not run) by the shell the builder runs it with
        Process sh = new ProcessBuilder("sh", "-n", "-c", script).redirectErrorStream(true).start();
        String output = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sh.waitFor()).as(output).isZero();
    }
}
