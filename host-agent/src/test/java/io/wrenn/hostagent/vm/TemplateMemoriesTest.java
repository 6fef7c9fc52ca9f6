package io.wrenn.hostagent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateMemoriesTest {

    @TempDir
    Path dir;

    @Test
    void everyStartFromATemplateMapsTheSameSealedCopy() throws Exception {
        Path file = Files.write(dir.resolve("memory"), new byte[] {1, 2, 3});
        try (TemplateMemories memories = new TemplateMemories()) {
            Path first = memories.sealedCopyOf(file);
            assertThat(memories.sealedCopyOf(file)).isEqualTo(first);
            assertThat(Files.readSymbolicLink(first).toString()).startsWith("/memfd:");
            assertThat(Files.readAllBytes(first)).containsExactly(1, 2, 3);
            assertThat(memories.held()).isEqualTo(1);
        }
    }

    @Test
    void aReplacedTemplateGetsACopyOfItsNewMemoryWhileTheOldStaysForStartingVms() throws Exception {
        Path file = Files.write(dir.resolve("memory"), new byte[] {1});
        try (TemplateMemories memories = new TemplateMemories()) {
            Path old = memories.sealedCopyOf(file);
            Path replacement = Files.write(dir.resolve("memory.new"), new byte[] {2});
            Files.move(replacement, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

            Path now = memories.sealedCopyOf(file);

            assertThat(now).isNotEqualTo(old);
            assertThat(Files.readAllBytes(now)).containsExactly(2);
            // A QEMU started a moment ago may not have opened the old copy yet.
            assertThat(Files.readAllBytes(old)).containsExactly(1);
            assertThat(memories.held()).isEqualTo(2);
        }
    }

    @Test
    void theCopyOfADeletedTemplateIsLetGoAfterItsGraceAndAKeptOneStays() throws Exception {
        Path deleted = Files.write(dir.resolve("deleted"), new byte[] {1});
        Path kept = Files.write(dir.resolve("kept"), new byte[] {2});
        try (TemplateMemories memories = new TemplateMemories(java.time.Duration.ZERO)) {
            Path gone = memories.sealedCopyOf(deleted);
            Path stays = memories.sealedCopyOf(kept);
            Files.delete(deleted);

            memories.retireOld();

            assertThat(memories.held()).isEqualTo(1);
            assertThat(Files.isSymbolicLink(gone) && Files.readSymbolicLink(gone).toString().startsWith("/memfd:wrenn-template-memory"))
                    .as("the deleted template's copy is closed").isFalse();
            assertThat(Files.readAllBytes(stays)).containsExactly(2);
        }
    }
}
