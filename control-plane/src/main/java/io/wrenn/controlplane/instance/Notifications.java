package io.wrenn.controlplane.instance;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way control planes sharing the database hear each other: PostgreSQL's LISTEN/NOTIFY
 * on one connection of this control plane's own, held for good (a pooled one would be taken
 * from the pool forever). Features subscribe to a channel each; the connection listens to all
 * of them. No broker to run.
 *
 * <p>Whoever keeps something in memory on the strength of these notifications must know when
 * it may have missed some: {@link Hearing} is told when listening starts (and starts again
 * after a break) and when it stops. A notification sent while nobody listened is lost for good,
 * so what was kept must be dropped then, not trusted until the next notification. A connection
 * that breaks is noticed by the read that waits for notifications; one that only goes silent
 * (a peer gone without closing, a network cut) by a round trip on it whenever a wait ends
 * empty, at most {@link #PROBE_EVERY} apart.
 */
public final class Notifications implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    /** How long one wait for notifications lasts, and the pause before opening a broken connection again. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    /** How long the round trip that proves the connection alive may take before it counts as broken. */
    private static final int PROBE_TIMEOUT_S = 5;

    /** Opens a connection of its own for listening. */
    @FunctionalInterface
    public interface Connections {
        Connection open() throws SQLException;
    }

    /** Told when this control plane starts or stops hearing notifications. */
    public interface Hearing {
        /** Listening on every channel: from now on nothing sent is missed (until {@link #deaf}). */
        default void listening() {
        }

        /** Not listening: notifications sent from now until the next {@link #listening} are lost. */
        default void deaf() {
        }
    }

    private final Connections connections;
    private final Map<String, List<Consumer<String>>> channels = new ConcurrentHashMap<>();
    private final List<Hearing> hearings = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private Thread listener;
    private boolean listening;
    private volatile boolean closed;

    public Notifications(Connections connections) {
        this.connections = connections;
    }

    /**
     * Calls {@code payloads} with the payload of every notification on {@code channel} (a plain
     * SQL identifier), from one thread, in the order sent. Subscribe before {@link #start}.
     */
    public void subscribe(String channel, Consumer<String> payloads) {
        if (!channel.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a channel name: " + channel);
        }
        synchronized (lock) {
            if (listener != null) {
                throw new IllegalStateException("subscribe before start: the connection listens to the channels it knew then");
            }
            channels.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(payloads);
        }
    }

    /** Tells {@code hearing} of every start and stop of listening from now on; it starts deaf. */
    public void watch(Hearing hearing) {
        hearings.add(hearing);
    }

    /** Starts listening, on a thread of its own; idempotent. */
    public void start() {
        synchronized (lock) {
            if (listener == null && !closed) {
                listener = Thread.ofVirtual().name("wrenn-notifications").start(this::listen);
            }
        }
    }

    /** Whether this control plane listens now. */
    public boolean listening() {
        synchronized (lock) {
            return listening;
        }
    }

    /** Waits until this control plane listens (for tests: a notification sent before that is not heard). */
    public boolean awaitListening(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!listening) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return listening;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    private void listen() {
        while (!closed) {
            try (Connection connection = connections.open(); Statement statement = connection.createStatement()) {
                for (String channel : channels.keySet()) {
                    statement.execute("LISTEN " + channel);
                }
                PGConnection postgres = connection.unwrap(PGConnection.class);
                heard(true);
                while (!closed) {
                    PGNotification[] notifications = postgres.getNotifications((int) PROBE_EVERY.toMillis());
                    if (notifications == null || notifications.length == 0) {
                        if (!closed && !connection.isValid(PROBE_TIMEOUT_S)) {
                            throw new SQLException("the listening connection does not answer");
                        }
                        continue;
                    }
                    for (PGNotification notification : notifications) {
                        deliver(notification.getName(), notification.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                heard(false);
                if (closed) {
                    return;
                }
                log.warn("not listening to the other control planes ({}); trying again", e.toString());
                try {
                    Thread.sleep(PROBE_EVERY);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
        heard(false);
    }

    /** Records the change and tells the watchers, in order, before any notification of the new connection is delivered. */
    private void heard(boolean now) {
        synchronized (lock) {
            if (listening == now) {
                return;
            }
            listening = now;
            lock.notifyAll();
        }
        for (Hearing hearing : hearings) {
            try {
                if (now) {
                    hearing.listening();
                } else {
                    hearing.deaf();
                }
            } catch (RuntimeException e) {
                log.warn("a watcher of the notifications failed", e);
            }
        }
    }

    private void deliver(String channel, String payload) {
        for (Consumer<String> each : channels.getOrDefault(channel, List.of())) {
            try {
                each.accept(payload);
            } catch (RuntimeException e) {
                log.warn("a notification on {} failed", channel, e);
            }
        }
    }

    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            closed = true;
            running = listener;
            lock.notifyAll();
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Whatever happened to the thread, nobody may trust what they kept any more.
        heard(false);
    }
}
