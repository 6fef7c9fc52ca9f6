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
 * variables (all of them: they replace what the guest held, so a snapshot's creator's variables
 * never reach sandboxes made from it), default user and working directory, access token, and the current time. The clock
 * is only moved forward (a restored guest is behind); a late or repeated /init never rewinds it.
 * {@code entropy} (base64, Wrenn's extension) is mixed into the kernel's random pool and forces a
 * reseed: sandboxes restored from one memory snapshot must not share random state.
 */
public final class InitHandler {
    private static final System.Logger LOG = System.getLogger(InitHandler.class.getName());
    private static final Duration CLOCK_TOLERANCE = Duration.ofMillis(10);

    private final SandboxDefaults defaults;
    private final SystemClock clock;
    private final EntropyPool entropy;

    public InitHandler(SandboxDefaults defaults, SystemClock clock, EntropyPool entropy) {
        this.defaults = defaults;
        this.clock = clock;
        this.entropy = entropy;
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
            // Absent (a call that only sets the clock) leaves the environment; present replaces it.
            var envVars = body.has("envVars") ? java.util.Optional.of(body.stringMap("envVars"))
                    : java.util.Optional.<java.util.Map<String, String>>empty();
            var timestamp = body.string("timestamp").map(InitHandler::parseTimestamp);
            var seed = body.string("entropy").map(InitHandler::parseSeed);
            envVars.ifPresent(defaults::replaceEnvVars);
            body.string("defaultUser").filter(s -> !s.isEmpty()).ifPresent(defaults::setDefaultUser);
            body.string("defaultWorkdir").filter(s -> !s.isEmpty()).ifPresent(defaults::setDefaultWorkdir);
            body.string("accessToken").filter(s -> !s.isEmpty()).ifPresent(defaults::setAccessToken);
            timestamp.ifPresent(this::syncClock);
            if (seed.isPresent() && !reseed(seed.get())) {
                // Fail loudly: a restored sandbox that kept its template's random state is unsafe.
                HttpResponses.error(exchange, 500, "cannot reseed the kernel's random pool");
                return;
            }
        } catch (JsonException | DateTimeParseException e) {
            HttpResponses.error(exchange, 400, e.getMessage());
            return;
        }
        HttpResponses.noContent(exchange);
    }

    private static byte[] parseSeed(String text) {
        byte[] seed;
        try {
            seed = java.util.Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new JsonException("entropy is not base64");
        }
        if (seed.length == 0 || seed.length > 512) {
            throw new JsonException("entropy must hold 1 to 512 bytes");
        }
        return seed;
    }

    private boolean reseed(byte[] seed) {
        int errno = entropy.reseed(seed);
        if (errno != 0) {
            LOG.log(System.Logger.Level.WARNING, "cannot reseed the kernel's random pool: errno {0}", errno);
        }
        return errno == 0;
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
