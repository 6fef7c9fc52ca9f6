package io.wrenn.hostagent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuCommandLineTest {

    private static final QemuJail JAIL = QemuJail.forSlot(7, Path.of("/s/qmp.sock"));

    @TempDir
    Path dir;

    @Test
    void qemuDropsIntoItsJailWithSeccompOnceSetUp() {
        VmSpec spec = new VmSpec("n", Path.of("/k/vmlinux"), Path.of("/k/initrd.img"), "x", Path.of("/s/disk.qcow2"), 1, 256,
                Accelerator.TCG, Path.of("/s/qmp.sock"), Path.of("/s/serial.log"), Path.of("/s/qemu.pid"), Path.of("/s/qemu.log"),
                Path.of("/s/memory"), true, null, JAIL);

        List<String> argv = QemuCommandLine.build(spec);

        assertThat(String.join(" ", argv)).endsWith("-runas 900007:900007 -chroot /s/jail"
                + " -sandbox on,obsolete=deny,elevateprivileges=allow,spawn=deny,resourcecontrol=deny");
        // A jailed QEMU opens nothing by name: the disk comes as descriptors.
        assertThat(String.join(" ", argv)).doesNotContain("file=/s/disk.qcow2");
    }

    @Test
    void theLauncherJoinsTheCgroupsAndOpensTheSavedStateBeforeTheNamespace() {
        VmSpec spec = new VmSpec("n", Path.of("/k/vmlinux"), Path.of("/k/initrd.img"), "x", Path.of("/s/disk.qcow2"), 1, 256,
                Accelerator.TCG, Path.of("/s/qmp.sock"), Path.of("/s/serial.log"), Path.of("/s/qemu.pid"), Path.of("/s/qemu.log"),
                Path.of("/t/memory"), false, Path.of("/t/state"), JAIL);

        List<String> argv = QemuCommandLine.build(spec, List.of(Path.of("/cg/cpu/procs"), Path.of("/cg/memory/procs")));

        assertThat(argv).startsWith("setsid", "sh", "-c",
                "echo $$ > '/cg/cpu/procs' && echo $$ > '/cg/memory/procs'"
                        + " && exec 4<> '/s/disk.qcow2' 5< '/s/disk.qcow2' && exec 3< '/t/state' && exec \"$@\"",
                "wrenn-qemu", "ip", "netns", "exec", "n", "qemu-system-x86_64");
    }

    @Test
    void runsMicrovmInTheNamespaceDaemonizedWithQmpAndSerialFiles() {
        VmSpec spec = new VmSpec("wrenn-0123456789ab", Path.of("/k/vmlinux"), Path.of("/k/initrd.img"), "console=ttyS0",
                Path.of("/s/disk.qcow2"), 2, 512, Accelerator.TCG, Path.of("/s/qmp.sock"), Path.of("/s/serial.log"),
                Path.of("/s/qemu.pid"), Path.of("/s/qemu.log"), Path.of("/s/memory"), true, null, JAIL);

        List<String> argv = QemuCommandLine.build(spec);

        assertThat(argv).startsWith("setsid", "sh", "-c", "exec 4<> '/s/disk.qcow2' 5< '/s/disk.qcow2' && exec \"$@\"", "wrenn-qemu",
                "ip", "netns", "exec", "wrenn-0123456789ab", "qemu-system-x86_64", "-M", "microvm,memory-backend=mem");
        assertThat(String.join(" ", argv))
                .contains("-accel tcg -cpu max")
                .contains("-m 512 -object memory-backend-file,id=mem,size=512M,mem-path=/s/memory,share=on -smp 2")
                .contains("-chardev file,id=console,append=on,path=/s/serial.log -serial chardev:console")
                .contains("-kernel /k/vmlinux -initrd /k/initrd.img -append console=ttyS0")
                .contains("-add-fd fd=4,set=1,opaque=rw -add-fd fd=5,set=1,opaque=ro"
                        + " -drive id=root,file=/dev/fdset/1,format=qcow2,if=none,cache=unsafe,file.locking=off,"
                        + "throttling.bps-total=" + (200L << 20) + ",throttling.bps-total-max=" + (800L << 20)
                        + ",throttling.bps-total-max-length=10,throttling.iops-total=4000,throttling.iops-total-max=16000"
                        + ",throttling.iops-total-max-length=10 ")
                .contains("-netdev tap,id=n0,ifname=tap0,script=no,downscript=no")
                .contains("mac=52:54:00:00:00:21")
                .contains("-qmp unix:/s/qmp.sock,server=on,wait=off")
                .contains("-pidfile /s/qemu.pid");
        assertThat(String.join(" ", QemuCommandLine.build(new VmSpec("n", spec.kernel(), spec.initrd(), "x", spec.disk(), 1, 256,
                Accelerator.KVM, spec.qmpSocket(), spec.serialLog(), spec.pidFile(), spec.qemuLog(), spec.memoryFile(), true,
                null, JAIL))))
                .contains("-accel kvm -cpu host");
    }

    @Test
    void aRestoreMapsTheTemplatesMemoryPrivatelyAndWaitsForItsState() {
        VmSpec spec = new VmSpec("n", Path.of("/k/vmlinux"), Path.of("/k/initrd.img"), "x", Path.of("/s/disk.qcow2"), 1, 256,
                Accelerator.TCG, Path.of("/s/qmp.sock"), Path.of("/s/serial.log"), Path.of("/s/qemu.pid"), Path.of("/s/qemu.log"),
                Path.of("/t/memory"), false, Path.of("/t/state"), JAIL);

        assertThat(String.join(" ", QemuCommandLine.build(spec)))
                .contains("memory-backend-file,id=mem,size=256M,mem-path=/t/memory,share=off")
                .contains("-incoming defer");
    }

    @Test
    void tcgGuestsSkipTscCalibrationWithTheHostsFrequency() throws Exception {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nmodel name\t: x\ncpu MHz\t\t: 2600.000\n");

        assertThat(GuestKernelArgs.hostTscKhz(cpuinfo)).hasValue(2_600_000);
        assertThat(GuestKernelArgs.hostTscKhz(dir.resolve("missing"))).isEmpty();
        assertThat(GuestKernelArgs.forAccelerator(Accelerator.KVM)).isEqualTo(GuestKernelArgs.BASE);
        assertThat(GuestKernelArgs.BASE).isEqualTo(
                "console=ttyS0 quiet panic=-1 reboot=t root=/dev/vda rw init=/opt/wrenn/bin/init");
    }
}
