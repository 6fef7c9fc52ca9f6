package io.wrenn.hostagent.net;

/**
 * A sandbox's place in the host's address plan (docs/ARCHITECTURE.md, "Network").
 *
 * <p>Slot {@code n} (1..16383) owns the /30 {@code 10.231.(n/64).((n%64)*4)}: the host end of the
 * veth pair is {@code +1}, the namespace end {@code +2}. The host reaches the guest's port P at
 * the namespace end, where nftables rewrites it to the guest's fixed address.
 */
public record NetworkSlot(int number) {

    public static final int MIN = 1;
    public static final int MAX = 16383;

    /** The guest's address; the same in every namespace so that snapshots restore anywhere. */
    public static final String GUEST_ADDRESS = "169.254.0.21";
    /** The tap's address inside the namespace: the guest's gateway. */
    public static final String TAP_ADDRESS = "169.254.0.22";
    public static final String GUEST_MAC = "52:54:00:00:00:21";
    public static final String TAP_NAME = "tap0";
    public static final String NAMESPACE_VETH = "veth0";

    public NetworkSlot {
        if (number < MIN || number > MAX) {
            throw new IllegalArgumentException("slot out of range: " + number);
        }
    }

    private String base() {
        return "10.231." + (number / 64) + ".";
    }

    private int lastOctet() {
        return (number % 64) * 4;
    }

    /** Address of the host end ({@code wrh<n>}), without prefix length. */
    public String hostAddress() {
        return base() + (lastOctet() + 1);
    }

    /** Address of the namespace end ({@code veth0}), without prefix length. */
    public String namespaceAddress() {
        return base() + (lastOctet() + 2);
    }

    /** Name of the host end of the veth pair. */
    public String hostVeth() {
        return "wrh" + number;
    }
}
