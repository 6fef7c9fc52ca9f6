package io.wrenn.hostagent.sandbox;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a commit syncs: files that exist (a pause without a RAM file has none) and directories. */
class DurableFilesTest {

    @TempDir
    Path dir;

    @Test
    void syncsExistingFilesAndSkipsAbsentOnes() throws Exception {
        Path state = Files.writeString(dir.resolve("state"), "saved");
        assertThatCode(() -> DurableFiles.sync(state, dir.resolve("no-memory-file"))).doesNotThrowAnyException();
    }

    @Test
    void syncsADirectoryAndRefusesOneThatIsGone() {
        assertThatCode(() -> DurableFiles.syncDirectory(dir)).doesNotThrowAnyException();
        assertThatThrownBy(() -> DurableFiles.syncDirectory(dir.resolve("gone"))).isInstanceOf(IOException.class);
    }
}
