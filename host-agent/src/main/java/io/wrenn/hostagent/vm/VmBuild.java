package io.wrenn.hostagent.vm;

import java.util.ArrayList;
import java.util.List;

/**
 * What a VM's saved state depends on, recorded with every pause and snapshot: the QEMU that wrote
 * it, the machine type, and the guest kernel the VM booted. A migration stream is QEMU's own
 * format for one machine type: another QEMU version (microvm's machine type is not versioned, so
 * no compatibility is promised) or another machine may not load it, or load it wrongly.
 *
 * @param qemu         QEMU's version line ({@code qemu-system-x86_64 --version})
 * @param machine      the machine type
 * @param kernelSha256 SHA-256 of the guest kernel image the VM booted; the kernel a restored guest
 *                     runs is the one in its saved RAM, so a different kernel image on the host does
 *                     not stop a load: it is recorded to tell which kernel the guest runs
 */
public record VmBuild(String qemu, String machine, String kernelSha256) {

    /**
     * Why state saved under {@code saved} cannot be loaded by this build: one phrase per difference,
     * empty when it can (and when {@code saved} is unknown: state of agents that did not record it).
     */
    public List<String> cannotLoad(VmBuild saved) {
        List<String> differences = new ArrayList<>();
        if (saved == null) {
            return differences;
        }
        if (!qemu.equals(saved.qemu())) {
            differences.add("it was saved by " + saved.qemu() + " and this host runs " + qemu);
        }
        if (!machine.equals(saved.machine())) {
            differences.add("it was saved on machine type " + saved.machine() + " and this host uses " + machine);
        }
        return differences;
    }
}
