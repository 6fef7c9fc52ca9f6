package io.wrenn.hostagent.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The guest kernel's command line.
 *
 * <p>Under TCG the guest kernel calibrates its TSC against the emulated PIT; on a busy host that
 * calibration fails ("tsc: Marking TSC unstable due to could not calculate TSC khz") and the boot
 * then hangs silently before init. Measured here under load: 4 hangs in 8 boots without help,
 * none in 8 with {@code tsc_early_khz} set. TCG's guest TSC runs at the host's TSC rate, so we
 * pass the host's frequency and the kernel skips the calibration.
 */
public final class GuestKernelArgs {

    /** The guest contract (docs/ARCHITECTURE.md): the initramfs mounts /dev/vda and switches to Wrenn's init. */
    public static final String BASE = "console=ttyS0 quiet panic=-1 reboot=t root=/dev/vda rw init=/opt/wrenn/bin/init";

    private GuestKernelArgs() {
    }

    /** The command line for a guest running with {@code accelerator} on this host. */
    public static String forAccelerator(Accelerator accelerator) {
        if (accelerator == Accelerator.TCG) {
            OptionalLong khz = hostTscKhz(Path.of("/proc/cpuinfo"));
            if (khz.isPresent()) {
                return BASE + " tsc_early_khz=" + khz.getAsLong() + " tsc=reliable";
            }
        }
        return BASE;
    }

    /** The first "cpu MHz" of a cpuinfo file, in kHz. */
    static OptionalLong hostTscKhz(Path cpuinfo) {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("cpu MHz")) {
                    double mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).strip());
                    return mhz > 0 ? OptionalLong.of(Math.round(mhz * 1000)) : OptionalLong.empty();
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: let the guest calibrate
        }
        return OptionalLong.empty();
    }
}
