package io.wrenn.controlplane.testing;

import io.wrenn.controlplane.ControlPlane;
import io.wrenn.controlplane.ControlPlaneConfig;
import io.wrenn.controlplane.auth.Bootstrap;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A control plane on a fresh database and a random port, wired to one fake host agent. As a
 * static {@code @RegisterExtension} field it serves a whole test class and is closed after it.
 */
public final class TestControlPlane implements AutoCloseable, AfterAllCallback {

    public final FakeHostAgent agent = new FakeHostAgent();
    public final ControlPlane controlPlane;
    public final String apiKey;
    /** The bootstrap admin's password (the admin is {@link Bootstrap#ADMIN_EMAIL}). */
    public final String adminPassword;
    public final Http http;
    public final String jdbcUrl;

    public TestControlPlane() {
        this(ControlPlaneConfig.Limits.defaults());
    }

    public TestControlPlane(ControlPlaneConfig.Limits limits) {
        this(builder -> builder.limits(limits));
    }

    public TestControlPlane(Consumer<ControlPlaneConfig.Builder> customise) {
        jdbcUrl = TestPostgres.newDatabase();
        ControlPlaneConfig.Builder config = ControlPlaneConfig.builder()
                .port(0)
                .jdbcUrl(jdbcUrl)
                .jdbcUser(TestPostgres.user())
                .jdbcPassword(TestPostgres.password())
                .agentSecret(FakeHostAgent.SECRET)
                // Tests drive the reconciler by hand.
                .reconcileInterval(Duration.ofHours(1))
                // Every test person signs up from this machine's address: the per-address limit
                // would otherwise bound how many a test class may make (SignupControlsTest tests it).
                .signup(new io.wrenn.controlplane.account.SignupPolicy(io.wrenn.controlplane.account.SignupPolicy.Mode.OPEN,
                        java.util.List.of(), 10_000, 10_000));
        customise.accept(config);
        controlPlane = new ControlPlane(config.build(), FakeHostAgent::channel).start();
        controlPlane.registerHost(agent.address());
        Bootstrap.Result bootstrap = controlPlane.bootstrap();
        apiKey = bootstrap.apiKey().orElseThrow();
        adminPassword = bootstrap.adminPassword().orElseThrow();
        http = new Http(controlPlane.port(), apiKey);
    }

    /** Signs a new person up and returns their session answer (token, user, team). */
    public Person signup(String name) {
        String email = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "") + "-"
                + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String password = "pw-" + UUID.randomUUID();
        Http.Response response = http.withKey(null).post("/v1/auth/signup",
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\",\"name\":\"" + name + "\"}");
        if (response.status() != 201) {
            throw new AssertionError("signup answered " + response);
        }
        var json = response.json();
        return new Person(email, password, json.get("user").get("id").stringValue(),
                json.get("team").get("id").stringValue(), json.get("token").stringValue(), http.withToken(json.get("token").stringValue()));
    }

    /** {@code inviter} (an owner or admin of {@code teamId}) invites {@code email} with {@code role}; the raw answer. */
    public static Http.Response invite(Http inviter, String teamId, String email, String role) {
        return inviter.post("/v1/teams/" + teamId + "/invitations", "{\"email\":\"" + email + "\",\"role\":\"" + role + "\"}");
    }

    /**
     * Makes {@code person} a member of {@code teamId} the way people join a team: {@code inviter}
     * (an owner or admin there) invites their email with {@code role} and they accept. Returns
     * their client with a token for that team.
     */
    public static Http join(Http inviter, String teamId, Person person, String role) {
        Http.Response invited = invite(inviter, teamId, person.email(), role);
        if (invited.status() != 201) {
            throw new AssertionError("invite answered " + invited);
        }
        Http.Response accepted = person.http().post("/v1/invitations/accept",
                "{\"token\":\"" + invited.json().get("token").stringValue() + "\"}");
        if (accepted.status() != 200) {
            throw new AssertionError("accept answered " + accepted);
        }
        Http.Response switched = person.http().post("/v1/auth/switch-team", "{\"team_id\":\"" + teamId + "\"}");
        if (switched.status() != 200) {
            throw new AssertionError("switch-team answered " + switched);
        }
        return person.http().withToken(switched.json().get("token").stringValue());
    }

    /** A signed-up person: their login, ids, token and a client that sends the token. */
    public record Person(String email, String password, String userId, String teamId, String token, Http http) {
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        controlPlane.close();
        agent.close();
    }
}
