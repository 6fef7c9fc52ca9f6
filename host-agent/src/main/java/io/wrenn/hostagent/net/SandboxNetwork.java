package io.wrenn.hostagent.net;

import java.util.List;

/** Network namespaces for sandboxes: one per sandbox, with a veth to the host and a tap for the guest. */
public interface SandboxNetwork {

    /** The namespace's name for a sandbox: {@code wrenn-} and the first 12 hex digits of its id. */
    static String namespaceName(String sandboxId) {
        return "wrenn-" + sandboxId.replace("-", "").substring(0, 12);
    }

    /**
     * Creates the namespace, veth pair, tap and firewall for a sandbox.
     *
     * @throws SlotTakenException when the host already has this slot's veth; pick another slot
     */
    void create(String namespace, NetworkSlot slot, NetworkPolicy policy);

    /** Replaces the egress policy of a live namespace at once (connections already open stay). */
    void updatePolicy(String namespace, NetworkSlot slot, NetworkPolicy policy);

    /** Connections the namespace refused since it was made (the policy's and the platform's refusals). */
    long deniedConnections(String namespace);

    /** Lets a re-adopted sandbox's traffic out again after an agent restart, under its policy. */
    void adopt(String namespace, NetworkSlot slot, NetworkPolicy policy);

    /** Removes the namespace and the host end of its veth. Missing pieces are not an error. */
    void delete(String namespace, NetworkSlot slot);

    /** Namespaces on this host whose names start with {@code wrenn-}. */
    List<String> listNamespaces();

    /** Whether the host has the veth of this slot. */
    boolean hostVethExists(int slotNumber);

    /** PIDs of processes running in the namespace. */
    List<Long> pidsIn(String namespace);

    /** Milliseconds since the namespace was created, or -1 when unknown. */
    long ageMillis(String namespace);

    /** Raised when the veth of a slot already exists on the host. */
    final class SlotTakenException extends RuntimeException {
        public SlotTakenException(NetworkSlot slot) {
            super("network slot " + slot.number() + " is taken on this host");
        }
    }
}
