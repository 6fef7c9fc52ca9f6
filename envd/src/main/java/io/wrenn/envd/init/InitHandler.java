package io.wrenn.envd.init;

import com.sun.net.httpserver.HttpExchange;
import io.wrenn.envd.connect.RequestBodies;
import io.wrenn.envd.http.HttpResponses;
import io.wrenn.envd.json.Json;
import io.wrenn.envd.json.JsonException;
import io.wrenn.envd.json.JsonObject;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * {@code POST /init}: the host tells a freshly booted or restored sandbox its environment
 * variables, default user and working directory, access token, and the current time. The clock
 * is only moved forward (a restored guest is behind); a late or repeated /init never rewinds it.
 */
public final class InitHandler {
    private static final System.Logger LOG = System.getLogger(InitHandler.class.getName());
    private static final Duration CLOCK_TOLERANCE = Duration.ofMillis(10);

    private final SandboxDefaults defaults;
    private final SystemClock clock;

    public InitHandler(SandboxDefaults defaults, SystemClock clock) {
        this.defaults = defaults;
        this.clock = clock;
    }

    public void handle(HttpExchange exchange) throws IOException {
        JsonObject body;
        try {
            body = Json.parseObject(RequestBodies.read(exchange.getRequestBody(), 1024 * 1024));
        } catch (JsonException e) {
            HttpResponses.error(exchange, 400, "invalid JSON: " + e.getMessage());
            return;
        }
        try {
            var envVars = body.stringMap("envVars");
            var timestamp = body.string("timestamp").map(InitHandler::parseTimestamp);
            defaults.putEnvVars(envVars);
            body.string("defaultUser").filter(s -> !s.isEmpty()).ifPresent(defaults::setDefaultUser);
            body.string("defaultWorkdir").filter(s -> !s.isEmpty()).ifPresent(defaults::setDefaultWorkdir);
            body.string("accessToken").filter(s -> !s.isEmpty()).ifPresent(defaults::setAccessToken);
            timestamp.ifPresent(this::syncClock);
        } catch (JsonException | DateTimeParseException e) {
            HttpResponses.error(exchange, 400, e.getMessage());
            return;
        }
        HttpResponses.noContent(exchange);
    }

    private static Instant parseTimestamp(String text) {
        return OffsetDateTime.parse(text).toInstant();
    }

    private void syncClock(Instant hostTime) {
        Instant now = Instant.now();
        if (hostTime.isAfter(now.plus(CLOCK_TOLERANCE))) {
            int errno = clock.set(hostTime);
            if (errno != 0) {
                LOG.log(System.Logger.Level.WARNING, "cannot set the clock to {0}: errno {1}", hostTime, errno);
            }
        }
    }
}
