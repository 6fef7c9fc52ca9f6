package io.wrenn.sdk;

import io.wrenn.sdk.internal.HttpWrenn;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A client of one Wrenn: its sandboxes, templates and keys. Made with {@link #fromEnv()} or
 * {@link #builder()}; in unit tests, {@code io.wrenn.sdk.testing.WrennFake} is an in-memory
 * Wrenn with the same interface. Thread-safe: share one client across threads. Closing it
 * releases its connections (sandboxes stay; close them to destroy them).
 *
 * <pre>{@code
 * try (Wrenn wrenn = Wrenn.fromEnv();
 *      Sandbox sandbox = wrenn.sandboxes().create(SandboxSpec.of("debian"))) {
 *     sandbox.files().write("/home/user/hello.py", "print(6 * 7)");
 *     System.out.println(sandbox.commands().run("python3 hello.py").stdout());
 * }
 * }</pre>
 *
 * Calls that change nothing or are idempotent (reads, deletes, file writes from bytes) are
 * retried on connection failures and on the server's 502/503/504; others are not, because a
 * retry could do them twice.
 */
public interface Wrenn extends AutoCloseable {

    /** The server used when {@code WRENN_URL} is not set. */
    String DEFAULT_URL = "http://127.0.0.1:8080";

    /** The team's sandboxes. */
    Sandboxes sandboxes();

    /** The team's snapshot templates. */
    Templates templates();

    /** The team's template builds (recipes, live logs). */
    Builds builds();

    /** The team's API keys (a person's login only). */
    ApiKeys apiKeys();

    /** Releases the client's connections. */
    @Override
    void close();

    /**
     * A client configured from the environment: {@code WRENN_URL} (default
     * {@value #DEFAULT_URL}) and {@code WRENN_API_KEY}.
     *
     * @throws IllegalStateException when {@code WRENN_API_KEY} is not set
     */
    static Wrenn fromEnv() {
        return fromEnv(System.getenv());
    }

    /**
     * A client configured from the given environment, as {@link #fromEnv()} does.
     *
     * @param env environment variables
     */
    static Wrenn fromEnv(Map<String, String> env) {
        String key = env.get("WRENN_API_KEY");
        if (key == null || key.isBlank()) {
            throw new IllegalStateException("WRENN_API_KEY is not set: a team's API key (e2b_…) is needed");
        }
        String url = env.get("WRENN_URL");
        return builder().url(url == null || url.isBlank() ? DEFAULT_URL : url).apiKey(key.strip()).build();
    }

    /** A builder of a client. */
    static Builder builder() {
        return new Builder();
    }

    /** Builds a client; not thread-safe. */
    final class Builder {
        private URI url = URI.create(DEFAULT_URL);
        private String apiKey;
        private String bearerToken;
        private String email;
        private String password;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration lifecycleTimeout = Duration.ofMinutes(5);
        private int maxRetries = 3;

        private Builder() {
        }

        /** The server, e.g. {@code http://127.0.0.1:8080}. */
        public Builder url(String url) {
            return url(URI.create(url));
        }

        /** The server. */
        public Builder url(URI url) {
            String text = Objects.requireNonNull(url, "url").toString();
            this.url = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            return this;
        }

        /** Authenticates as a team with its API key ({@code e2b_…}). */
        public Builder apiKey(String apiKey) {
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
            return this;
        }

        /** Authenticates as a person with a token from a login (valid 15 minutes). */
        public Builder bearerToken(String token) {
            this.bearerToken = Objects.requireNonNull(token, "token");
            return this;
        }

        /** Authenticates as a person: {@link #build()} logs in with this email and password. */
        public Builder login(String email, String password) {
            this.email = Objects.requireNonNull(email, "email");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** How long to wait for a connection (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long to wait for an ordinary answer (default 60 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long to wait for creates, pauses, resumes and snapshots, which boot or save VMs (default 5 min). */
        public Builder lifecycleTimeout(Duration timeout) {
            this.lifecycleTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How often an idempotent call is retried after a connection failure or a 502/503/504 (default 3). */
        public Builder maxRetries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative");
            }
            this.maxRetries = retries;
            return this;
        }

        /**
         * The client.
         *
         * @throws IllegalStateException when no credential was given, or more than one
         * @throws WrennException        when a {@link #login} fails
         */
        public Wrenn build() {
            int credentials = (apiKey != null ? 1 : 0) + (bearerToken != null ? 1 : 0) + (email != null ? 1 : 0);
            if (credentials != 1) {
                throw new IllegalStateException("give exactly one credential: apiKey, bearerToken or login");
            }
            HttpWrenn.Settings settings = new HttpWrenn.Settings(url, connectTimeout, requestTimeout,
                    lifecycleTimeout, maxRetries);
            if (email != null) {
                return HttpWrenn.login(settings, email, password);
            }
            return new HttpWrenn(settings, apiKey != null ? HttpWrenn.Credential.apiKey(apiKey)
                    : HttpWrenn.Credential.bearer(bearerToken));
        }
    }
}
