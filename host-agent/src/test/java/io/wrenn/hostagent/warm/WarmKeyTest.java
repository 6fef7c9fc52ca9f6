package io.wrenn.hostagent.warm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmKeyTest {

    @TempDir
    Path dir;

    @Test
    void theSameFactsMakeTheSameKeyAndEachHalfChangesWithItsOwnFacts() {
        WarmKey key = WarmKey.of("minimal", List.of("rootfs a"), List.of("vcpus 1"));

        assertThat(WarmKey.of("minimal", List.of("rootfs a"), List.of("vcpus 1"))).isEqualTo(key);
        WarmKey otherMachine = WarmKey.of("minimal", List.of("rootfs a"), List.of("vcpus 2"));
        assertThat(otherMachine.source()).isEqualTo(key.source());
        assertThat(otherMachine.machine()).isNotEqualTo(key.machine());
        WarmKey rebuilt = WarmKey.of("minimal", List.of("rootfs b"), List.of("vcpus 1"));
        assertThat(rebuilt.source()).isNotEqualTo(key.source());
        assertThat(key.sameSource(otherMachine.name())).isTrue();
        assertThat(key.sameSource(rebuilt.name())).isFalse();
        assertThat(key.name()).matches("[0-9a-f]{16}-[0-9a-f]{16}");
    }

    @Test
    void aFileReplacedUnderTheSameNameIsAnotherIdentityEvenAtTheSameSize() throws Exception {
        Path image = dir.resolve("rootfs.ext4");
        Files.writeString(image, "one");
        String before = WarmKey.fileIdentity(image);
        assertThat(WarmKey.fileIdentity(image)).isEqualTo(before);

        Path rebuilt = dir.resolve("rootfs.ext4.new");
        Files.writeString(rebuilt, "two");
        Files.move(rebuilt, image, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThat(WarmKey.fileIdentity(image)).isNotEqualTo(before);
        assertThat(WarmKey.fileIdentity(dir.resolve("missing"))).endsWith("absent");
    }

    @Test
    void aProgramIsFoundOnThePath() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path program = bin.resolve("qemu-system-x86_64");
        Files.writeString(program, "#!/bin/sh\n");
        program.toFile().setExecutable(true);

        assertThat(WarmKey.onPath("qemu-system-x86_64", "/nonexistent::" + bin)).isEqualTo(program);
        assertThat(WarmKey.onPath("qemu-system-x86_64", "/nonexistent")).isNull();
        assertThat(WarmKey.onPath("qemu-system-x86_64", null)).isNull();
    }
}
