package io.wrenn.hostagent.guest;

/**
 * Opens the host's connection to a guest incarnation: the seam between the sandbox jobs and the
 * guest agent (a fake in unit tests, {@link EnvdClient} otherwise). Every boot, restore, resume
 * and re-adoption asks for a new one; none is shared between two VMs.
 */
@FunctionalInterface
public interface GuestConnector {

    /**
     * @param address     the guest's address as the host reaches it (its namespace's end)
     * @param accessToken the token envd is given at {@code /init} and then demands; null for none
     */
    GuestConnection connect(String address, String accessToken);

    /** envd over HTTP, each connection with an HTTP client of its own. */
    static GuestConnector envd() {
        return EnvdClient::new;
    }
}
