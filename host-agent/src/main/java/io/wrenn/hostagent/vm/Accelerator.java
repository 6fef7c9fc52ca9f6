package io.wrenn.hostagent.vm;

import java.util.List;
import java.util.Locale;

/** How QEMU runs guest code: hardware virtualisation or its own translator. */
public enum Accelerator {
    KVM(List.of("-accel", "kvm", "-cpu", "host")),
    TCG(List.of("-accel", "tcg", "-cpu", "max"));

    private final List<String> qemuArgs;

    Accelerator(List<String> qemuArgs) {
        this.qemuArgs = qemuArgs;
    }

    public List<String> qemuArgs() {
        return qemuArgs;
    }

    /** The lower-case name used on the wire and in files ("kvm", "tcg"). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Accelerator fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
