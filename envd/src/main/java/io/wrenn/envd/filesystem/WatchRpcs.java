package io.wrenn.envd.filesystem;

import io.wrenn.envd.connect.CallContext;
import io.wrenn.envd.connect.Code;
import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.connect.MessageStream;
import io.wrenn.envd.json.JsonObject;
import io.wrenn.envd.user.FileAccess;
import io.wrenn.envd.user.User;
import io.wrenn.envd.user.UserResolver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Directory watching: the streaming {@code WatchDir}, and the polled {@code CreateWatcher},
 * {@code GetWatcherEvents}, {@code RemoveWatcher}. A polled watcher keeps at most
 * {@link #MAX_PENDING} undelivered events (dropping the oldest) and there are at most
 * {@link #MAX_WATCHERS} of them, so nothing grows without bound.
 */
public final class WatchRpcs {
    static final int MAX_PENDING = 10_000;
    static final int MAX_WATCHERS = 256;

    private final UserResolver users;
    private final FileAccess access;
    private final EntryInfos entries;
    private final long keepaliveMillis;
    private final Map<String, PolledWatcher> watchers = new ConcurrentHashMap<>();

    public WatchRpcs(UserResolver users, FileAccess access, long keepaliveMillis) {
        this.users = users;
        this.access = access;
        this.entries = new EntryInfos(users.directory());
        this.keepaliveMillis = keepaliveMillis;
    }

    /** Starts watching the requested directory for the caller; fails as the caller would reading it. */
    private DirectoryWatcher watch(User user, JsonObject request) {
        Path path = users.resolvePath(request.string("path", ""), user);
        try {
            return new DirectoryWatcher(path, request.bool("recursive").orElse(false), access, user);
        } catch (IOException e) {
            throw FileErrors.translate(e, path);
        }
    }

    /** The events as the protocol's messages; entries are read as {@code user}, so they show what the user may see. */
    private List<Map<String, Object>> eventsJson(List<DirectoryWatcher.Event> events, boolean includeEntry, User user) {
        if (!includeEntry || events.isEmpty()) {
            return events.stream().map(e -> eventJson(e, false)).toList();
        }
        try {
            return access.as(user, () -> events.stream().map(e -> eventJson(e, true)).toList());
        } catch (IOException e) {
            throw FileErrors.translate(e, events.getFirst().path());
        }
    }

    private Map<String, Object> eventJson(DirectoryWatcher.Event event, boolean includeEntry) {
        var json = new LinkedHashMap<String, Object>();
        json.put("name", event.name());
        json.put("type", event.type());
        if (includeEntry && !event.type().equals("EVENT_TYPE_REMOVE")) {
            try {
                json.put("entry", entries.of(event.path(), event.path()));
            } catch (IOException e) {
                // Gone again, or the user may not look at it; the event goes out without its entry.
            }
        }
        return json;
    }

    /** {@code WatchDir}: {@code start}, then one {@code filesystem} message per change, {@code keepalive} when idle. */
    public void watchDir(CallContext context, JsonObject request, MessageStream stream) throws IOException {
        User user = users.resolve(context.basicAuthUser());
        boolean includeEntry = request.bool("includeEntry").orElse(false);
        Optional<Long> deadline = context.timeoutMillis().map(ms -> System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms));
        try (var watcher = watch(user, request)) {
            stream.send(Map.of("start", Map.of()));
            while (true) {
                long wait = context.keepaliveMillis(keepaliveMillis);
                if (deadline.isPresent()) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline.get() - System.nanoTime());
                    if (left <= 0) {
                        throw new ConnectException(Code.DEADLINE_EXCEEDED, "watch deadline exceeded");
                    }
                    wait = Math.min(wait, left);
                }
                List<DirectoryWatcher.Event> events = watcher.poll(wait);
                if (events.isEmpty()) {
                    stream.send(Map.of("keepalive", Map.of()));
                }
                for (var event : eventsJson(events, includeEntry, user)) {
                    stream.send(Map.of("filesystem", event));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException(Code.CANCELED, "envd is stopping");
        }
    }

    public Object createWatcher(CallContext context, JsonObject request) {
        User user = users.resolve(context.basicAuthUser());
        if (watchers.size() >= MAX_WATCHERS) {
            throw new ConnectException(Code.RESOURCE_EXHAUSTED, "too many watchers; remove some first");
        }
        var watcher = new PolledWatcher(watch(user, request), request.bool("includeEntry").orElse(false), user);
        String id = "w-" + UUID.randomUUID();
        watchers.put(id, watcher);
        return Map.of("watcherId", id);
    }

    public Object getWatcherEvents(CallContext context, JsonObject request) {
        PolledWatcher watcher = watcher(request);
        try {
            return Map.of("events", watcher.drain());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException(Code.CANCELED, "envd is stopping");
        }
    }

    public Object removeWatcher(CallContext context, JsonObject request) {
        PolledWatcher watcher = watchers.remove(request.string("watcherId", ""));
        if (watcher == null) {
            throw ConnectException.notFound("watcher not found");
        }
        watcher.watcher().close();
        return Map.of();
    }

    private PolledWatcher watcher(JsonObject request) {
        PolledWatcher watcher = watchers.get(request.string("watcherId", ""));
        if (watcher == null) {
            throw ConnectException.notFound("watcher not found");
        }
        return watcher;
    }

    /** Closes every polled watcher. */
    public void close() {
        watchers.values().forEach(w -> w.watcher().close());
        watchers.clear();
    }

    /** A watcher whose events wait for the client to fetch them. */
    private final class PolledWatcher {
        private final DirectoryWatcher watcher;
        private final boolean includeEntry;
        private final User user;
        private final ArrayDeque<Map<String, Object>> pending = new ArrayDeque<>();

        PolledWatcher(DirectoryWatcher watcher, boolean includeEntry, User user) {
            this.watcher = watcher;
            this.includeEntry = includeEntry;
            this.user = user;
        }

        DirectoryWatcher watcher() {
            return watcher;
        }

        /** Collects what the watcher saw since the last call and hands it all out. */
        synchronized List<Object> drain() throws InterruptedException {
            List<DirectoryWatcher.Event> events;
            while (!(events = watcher.poll(0)).isEmpty()) {
                for (var event : eventsJson(events, includeEntry, user)) {
                    if (pending.size() >= MAX_PENDING) {
                        pending.removeFirst();
                    }
                    pending.addLast(event);
                }
            }
            var out = new ArrayList<Object>(pending);
            pending.clear();
            return out;
        }
    }
}
