package io.wrenn.hostagent.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayoutTest {

    private static final String SANDBOX = "0b6e7c1a-2f7d-4c55-9d0e-5c2a7b8e9f10";

    @Test
    void buildsTheDocumentedPaths() {
        Layout layout = Layout.of(Path.of("/var/wrenn"));

        assertThat(layout.kernelImage()).isEqualTo(Path.of("/var/wrenn/images/kernel/vmlinux"));
        assertThat(layout.initrdImage()).isEqualTo(Path.of("/var/wrenn/images/kernel/initrd.img"));
        assertThat(layout.templateRootfs(Layout.PLATFORM_TEAM, "minimal")).isEqualTo(
                Path.of("/var/wrenn/images/teams/00000000-0000-0000-0000-000000000000/minimal/rootfs.ext4"));
        assertThat(layout.templateJson(Layout.PLATFORM_TEAM, "debian")).isEqualTo(
                Path.of("/var/wrenn/images/teams/00000000-0000-0000-0000-000000000000/debian/template.json"));
        Path dir = Path.of("/var/wrenn/sandboxes", SANDBOX);
        assertThat(layout.sandboxDir(SANDBOX)).isEqualTo(dir);
        assertThat(layout.sandboxOverlay(SANDBOX)).isEqualTo(dir.resolve("disk.qcow2"));
        assertThat(layout.sandboxQmpSocket(SANDBOX)).isEqualTo(dir.resolve("qmp.sock"));
        assertThat(layout.sandboxSerialLog(SANDBOX)).isEqualTo(dir.resolve("serial.log"));
        assertThat(layout.sandboxPidFile(SANDBOX)).isEqualTo(dir.resolve("qemu.pid"));
        assertThat(layout.sandboxJson(SANDBOX)).isEqualTo(dir.resolve("sandbox.json"));
    }

    @Test
    void aHomeTooDeepForItsSandboxesSocketsIsRefusedSayingBy() {
        Layout.of(Path.of("/" + "h".repeat(50))).requireSocketPathsFit();
        assertThatThrownBy(() -> Layout.of(Path.of("/" + "h".repeat(60))).requireSocketPathsFit())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WRENN_HOME").hasMessageContaining("too long by");
    }

    @Test
    void imagesMayLiveElsewhere() {
        Layout layout = Layout.fromEnvironment(Map.of("WRENN_HOME", "/tmp/h", "WRENN_IMAGES", "/cache/images"));

        assertThat(layout.home()).isEqualTo(Path.of("/tmp/h"));
        assertThat(layout.imagesDir()).isEqualTo(Path.of("/cache/images"));
        assertThat(layout.kernelImage()).isEqualTo(Path.of("/cache/images/kernel/vmlinux"));
        assertThat(layout.sandboxesDir()).isEqualTo(Path.of("/tmp/h/sandboxes"));
    }

    @Test
    void homeDefaultsToDotWrennInTheUsersHome() {
        Layout layout = Layout.fromEnvironment(Map.of());

        assertThat(layout.home()).isEqualTo(Path.of(System.getProperty("user.home"), ".wrenn").toAbsolutePath());
        assertThat(layout.imagesDir()).isEqualTo(layout.home().resolve("images"));
    }

    @Test
    void refusesIdentifiersThatCouldEscapeTheirDirectory() {
        Layout layout = Layout.of(Path.of("/var/wrenn"));

        assertThatThrownBy(() -> layout.sandboxDir("../../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> layout.sandboxDir(SANDBOX.toUpperCase())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> layout.templateDir(Layout.PLATFORM_TEAM, "../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> layout.templateDir("team", "minimal")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Layout.isTemplateName("python-3.12")).isTrue();
        assertThat(Layout.isTemplateName("")).isFalse();
    }
}
