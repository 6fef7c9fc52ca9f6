package io.wrenn.controlplane.instance;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every control plane sharing the database what must end in the traffic each one proxies:
 * the streams opened with a sandbox access token that was replaced, and those opened with an API
 * key that was revoked. A client's stream goes through whichever control plane its load balancer
 * chose, so the one that handled the rotation or the revocation cannot end it alone.
 * {@link Notifications} carries the news. A control plane that misses some (its listening
 * connection broke and is being opened again) only ends a stream later, when it closes: the old
 * token and the key are refused everywhere at once, since every new request is checked against
 * the database.
 */
public final class TrafficEnds implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrafficEnds.class);
    static final String CHANNEL = "wrenn_traffic_ends";

    public enum Kind { TOKEN_REPLACED, KEY_REVOKED }

    private final Jdbi jdbi;
    private final Notifications notifications;
    /** Set when this instance made {@link #notifications} for itself, and so closes it. */
    private final boolean ownsNotifications;
    private final List<BiConsumer<Kind, UUID>> listeners = new CopyOnWriteArrayList<>();

    /** Hears ends on {@code notifications}, which the caller starts (after every feature subscribed) and closes. */
    public TrafficEnds(Jdbi jdbi, Notifications notifications) {
        this(jdbi, notifications, false);
    }

    /** Hears ends on a listening connection of its own (a control plane of a test), started now. */
    public TrafficEnds(Jdbi jdbi, Notifications.Connections connections) {
        this(jdbi, new Notifications(connections), true);
        notifications.start();
    }

    private TrafficEnds(Jdbi jdbi, Notifications notifications, boolean owns) {
        this.jdbi = jdbi;
        this.notifications = notifications;
        this.ownsNotifications = owns;
        notifications.subscribe(CHANNEL, this::deliver);
    }

    /** Tells every control plane, this one included, that {@code id}'s traffic must end. */
    public void publish(Kind kind, UUID id) {
        jdbi.useHandle(h -> h.createQuery("SELECT pg_notify(:channel, :payload)")
                .bind("channel", CHANNEL)
                .bind("payload", kind.name() + ":" + id)
                .mapTo(String.class)
                .one());
    }

    /** As {@link #publish}, logging a failure: the token or key it is about is refused everywhere already. */
    public void publishQuietly(Kind kind, UUID id) {
        try {
            publish(kind, id);
        } catch (RuntimeException e) {
            log.warn("could not tell the other control planes that the traffic of {} must end: {}", id, e.toString());
        }
    }

    /** Told of every end published by any control plane sharing the database. */
    public void subscribe(BiConsumer<Kind, UUID> listener) {
        listeners.add(listener);
    }

    /** Whether this control plane listens (for tests: news published before that is not heard). */
    public boolean awaitListening(Duration timeout) throws InterruptedException {
        return notifications.awaitListening(timeout);
    }

    private void deliver(String payload) {
        int colon = payload == null ? -1 : payload.indexOf(':');
        Kind kind;
        UUID id;
        try {
            kind = Kind.valueOf(payload.substring(0, colon));
            id = UUID.fromString(payload.substring(colon + 1));
        } catch (RuntimeException e) {
            log.warn("ignoring a traffic end that is not one: {}", payload == null ? null
                    : payload.substring(0, Math.min(payload.length(), 100)));
            return;
        }
        for (BiConsumer<Kind, UUID> each : listeners) {
            try {
                each.accept(kind, id);
            } catch (RuntimeException e) {
                log.warn("a traffic end for {} failed", id, e);
            }
        }
    }

    @Override
    public void close() {
        if (ownsNotifications) {
            notifications.close();
        }
    }
}
