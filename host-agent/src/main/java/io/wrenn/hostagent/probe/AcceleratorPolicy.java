package io.wrenn.hostagent.probe;

import io.wrenn.hostagent.vm.Accelerator;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent says and does about the accelerator it ends up with. Under TCG QEMU translates
 * guest code in software, and QEMU does not treat TCG as a security boundary: a bug in the
 * translator is a way out of the guest that hardware virtualisation would not offer. The agent
 * says so at every start, and an operator who will not accept it sets {@value #REQUIRE_KVM}.
 */
public final class AcceleratorPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(AcceleratorPolicy.class);
    /** Set to 1 (or true): the agent refuses to start when guests cannot run under KVM. */
    public static final String REQUIRE_KVM = "WRENN_REQUIRE_KVM";

    static final String TCG_WARNING = "guests run under QEMU's TCG (software emulation), not KVM: guest isolation is"
            + " weaker than with KVM, as QEMU does not treat TCG as a security boundary (each QEMU still runs jailed:"
            + " its own uid, seccomp, an empty chroot, a cgroup). Set " + REQUIRE_KVM + "=1 to refuse to start without KVM.";

    private final boolean requireKvm;

    public AcceleratorPolicy(boolean requireKvm) {
        this.requireKvm = requireKvm;
    }

    /** From {@value #REQUIRE_KVM} in {@code environment}. */
    public static AcceleratorPolicy fromEnvironment(Map<String, String> environment) {
        String value = environment.getOrDefault(REQUIRE_KVM, "").strip();
        return new AcceleratorPolicy(value.equals("1") || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes"));
    }

    public boolean requiresKvm() {
        return requireKvm;
    }

    /**
     * Accepts {@code accelerator} (warning on the log and on standard error when it is TCG), or
     * refuses it with an {@link IllegalStateException} that says why, for the operator.
     */
    public void check(Accelerator accelerator) {
        if (accelerator == Accelerator.KVM) {
            return;
        }
        if (requireKvm) {
            throw new IllegalStateException("refusing to start: " + REQUIRE_KVM + " is set and guests cannot run under"
                    + " KVM on this host (no /dev/kvm, or a guest did not boot with it; TCG would be used instead,"
                    + " whose guest isolation is weaker)");
        }
        LOG.warn(TCG_WARNING);
        System.err.println("wrenn: WARNING: " + TCG_WARNING);
        System.err.flush();
    }
}
