package io.wrenn.hostagent.guest;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The host's connection to one incarnation of a guest: a booted, restored, resumed or
 * re-adopted VM at its namespace's address. It owns its connections, so nothing opened to one
 * VM is ever reused for another (a slot's address recurs; a restored guest even comes back with
 * the TCP connections it had when it was saved); {@link #close()} ends them when the VM and its
 * network are released. Made by a {@link GuestConnector}.
 */
public interface GuestConnection extends AutoCloseable {

    /** What to run: the program, its arguments, extra environment, working directory and user (null = defaults). */
    record StartSpec(String cmd, List<String> args, Map<String, String> envs, String cwd, String user) {
    }

    /** Whether the guest agent answers {@code GET /health} with a 2xx within {@code timeout}. */
    boolean health(Duration timeout);

    /**
     * {@code POST /init} (default environment, user and workdir, the host's clock, and
     * {@code entropy}, null for none, mixed into the guest kernel's random pool) as the readiness
     * probe of a booted or restored guest: false when it did not answer
     * within {@code timeout} (call again), true once it took the initialisation. {@code guestToken}
     * is the token the guest holds now.
     */
    boolean tryInit(Map<String, String> envVars, String defaultUser, String defaultWorkdir, Instant now, byte[] entropy,
            String guestToken, Duration timeout);

    /**
     * Gives the running guest's envd {@code newToken} ({@code /init}, authenticated with the token
     * it holds now); every later call of this connection sends the new one, and envd refuses the old.
     *
     * @throws GuestException when the guest refuses or does not answer (it then keeps the old token)
     */
    default void rotateAccessToken(String newToken) {
        throw new GuestException(GuestException.Kind.UNAVAILABLE, "this guest connection cannot change its access token");
    }

    /**
     * Sets the guest's clock to {@code now} (moved forward only), over a connection an earlier
     * exchange left open: how long this call took bounds how late the guest's clock is set.
     */
    void setClock(Instant now);

    /** What a guest may say its envd version is: three short numbers; anything else is not believed. */
    java.util.regex.Pattern ENVD_VERSION = java.util.regex.Pattern.compile("[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}");

    /**
     * The envd version the guest reports ({@code X-Envd-Version} of {@code GET /health}), or null
     * when it does not answer within {@code timeout} or says something that is not a version.
     */
    String envdVersion(Duration timeout);

    /** The size of the guest's root filesystem, in bytes (0 when unknown). */
    long diskTotalBytes();

    /**
     * The guest's own figures ({@code GET /metrics}) as it sent them, unvalidated (the guest is
     * hostile): read within {@code timeout}, body included, and at most 16 KiB.
     */
    tools.jackson.databind.JsonNode metrics(Duration timeout);

    /** A one-shot process without stdin: its event stream. */
    ProcessStream start(StartSpec spec);

    /**
     * {@code sync} as root in the guest: what its page cache holds reaches its disk, so that a
     * copy of the disk, or a disk kept without the memory, has the guest's latest writes.
     *
     * @throws GuestException when it fails or the guest does not answer
     */
    default void sync() {
        try (ProcessStream stream = start(new StartSpec("sync", List.of(), Map.of(), "/", "root"))) {
            ProcessEvent event;
            while ((event = stream.next()) != null) {
                if (event instanceof ProcessEvent.Ended ended && ended.exitCode() != 0) {
                    throw new GuestException(GuestException.Kind.UNAVAILABLE, "sync in the guest exited with " + ended.exitCode());
                }
            }
        }
    }

    /** The process RPCs of this guest. */
    GuestProcesses processes();

    /** The filesystem RPCs of this guest. */
    GuestFilesystem filesystem();

    /** Writes {@code body} to {@code path} as {@code user}, streamed. */
    void writeFile(String path, String user, Supplier<InputStream> body);

    /** Opens {@code path} for reading as {@code user}. */
    default Download readFile(String path, String user) {
        return readFile(path, user, 0, 0);
    }

    /** The bytes from {@code offset}, at most {@code length} of them ({@code 0} = to the end). */
    Download readFile(String path, String user, long offset, long length);

    /**
     * Sends {@code request} (its URI is set here) to {@code port} of this guest, at
     * {@code pathAndQuery} (raw, starting with {@code /}): the traffic path. The response body is
     * open; it is broken by {@link #abortStreams()} like every stream of this connection.
     */
    HttpResponse<InputStream> forward(int port, String pathAndQuery, HttpRequest.Builder request)
            throws IOException, InterruptedException;

    /**
     * A TCP connection to {@code port} of this guest, for the traffic tunnel (a protocol upgrade
     * passed through byte for byte). Like every stream of this connection it is broken by
     * {@link #abortStreams()}; the caller closes it when done.
     */
    default java.net.Socket openTunnel(int port) throws IOException {
        throw new IOException("this guest connection has no tunnels");
    }

    /**
     * Breaks every exchange and stream still open to this guest. Once its VM is gone nothing would
     * ever end them (the namespace vanished with the peer, so no reset comes).
     */
    void abortStreams();

    /** Ends this connection: every exchange and stream is broken and nothing new can be sent. */
    @Override
    void close();
}
