package io.wrenn.hostagent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files written for each cgroup layout, on a directory tree that stands for /sys/fs/cgroup. */
class QemuCgroupsTest {

    @TempDir
    Path root;

    @Test
    void onCgroupV2EachQemuGetsWeightsAndAMemoryCeilingUnderWrennsGroup() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");
        // The kernel makes these files when a group is created; a plain directory does not.
        Path slice = Files.createDirectories(root.resolve("wrenn"));
        Files.writeString(slice.resolve("cgroup.controllers"), "cpu io memory\n");
        Path group = Files.createDirectories(slice.resolve("sbx"));
        Files.writeString(group.resolve("io.weight"), "default 100\n");

        List<Path> procs = new QemuCgroups(root).create("sbx", 2, 512, Accelerator.TCG);

        assertThat(procs).containsExactly(group.resolve("cgroup.procs"));
        assertThat(Files.readString(root.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +io +memory");
        assertThat(Files.readString(slice.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +io +memory");
        assertThat(Files.readString(group.resolve("cpu.weight"))).isEqualTo("200");
        assertThat(Files.readString(group.resolve("memory.max"))).isEqualTo(Long.toString((512L << 20) + (1L << 30)));
    }

    @Test
    void onV1HierarchiesTheQemuJoinsEachControllersGroup() throws Exception {
        for (String controller : List.of("cpu", "memory")) {
            Files.createDirectories(root.resolve(controller));
            Files.writeString(root.resolve(controller).resolve("cgroup.procs"), "");
        }
        Path cpu = Files.createDirectories(root.resolve("cpu/wrenn/sbx"));
        Files.writeString(root.resolve("cpu/wrenn/cpu.shares"), "1024");
        Files.writeString(cpu.resolve("cpu.shares"), "1024");
        Path memory = Files.createDirectories(root.resolve("memory/wrenn/sbx"));
        Files.writeString(memory.resolve("memory.limit_in_bytes"), "0");

        List<Path> procs = new QemuCgroups(root).create("sbx", 1, 256, Accelerator.KVM);

        assertThat(procs).containsExactlyInAnyOrder(cpu.resolve("cgroup.procs"), memory.resolve("cgroup.procs"));
        assertThat(Files.readString(cpu.resolve("cpu.shares"))).isEqualTo("1024");
        assertThat(Files.readString(root.resolve("cpu/wrenn/cpu.shares"))).isEqualTo(Integer.toString(QemuCgroups.V1_MAX_SHARES));
        assertThat(Files.readString(memory.resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString((256L << 20) + (256L << 20)));
    }

    @Test
    void aBackgroundQemuWeighsAQuarterOfASandboxOfItsSize() throws Exception {
        Files.createDirectories(root.resolve("cpu"));
        Files.writeString(root.resolve("cpu").resolve("cgroup.procs"), "");
        Path cpu = Files.createDirectories(root.resolve("cpu/wrenn/primer"));
        Files.writeString(cpu.resolve("cpu.shares"), "1024");

        new QemuCgroups(root).create("primer", 2, 256, Accelerator.TCG, true);

        assertThat(Files.readString(cpu.resolve("cpu.shares"))).isEqualTo(Integer.toString(2 * 1024 / 4));
    }

    @Test
    void groupsLeftEmptyByADeadAgentAreRemovedButNotYoungOnesNorOnesInUse() throws Exception {
        for (String controller : List.of("cpu", "memory")) {
            Files.createDirectories(root.resolve(controller));
            Files.writeString(root.resolve(controller).resolve("cgroup.procs"), "");
        }
        java.nio.file.attribute.FileTime anHourAgo = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofHours(1)));
        // (in this stand-in tree an empty group is an empty directory; the kernel's has its files)
        Path abandoned = Files.createDirectories(root.resolve("cpu/wrenn/abandoned"));
        Files.setLastModifiedTime(abandoned, anHourAgo);
        Path young = Files.createDirectories(root.resolve("memory/wrenn/young"));
        Path inUse = Files.createDirectories(root.resolve("memory/wrenn/in-use"));
        Files.writeString(inUse.resolve("cgroup.procs"), "4242\n");
        Files.setLastModifiedTime(inUse, anHourAgo);

        assertThat(new QemuCgroups(root).sweepAbandoned(java.time.Duration.ofMinutes(5))).isEqualTo(1);

        assertThat(abandoned).doesNotExist();
        assertThat(young).as("maybe just made for a QEMU about to join").exists();
        assertThat(inUse).exists();
    }

    @Test
    void aHostWithoutCgroupsRunsQemuWithoutOne() {
        assertThat(new QemuCgroups(root.resolve("missing")).create("sbx", 1, 256, Accelerator.TCG)).isEmpty();
    }
}
