package io.wrenn.controlplane.oauth;

import io.javalin.http.Context;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.account.AccountService;
import io.wrenn.controlplane.account.AccountViews;
import io.wrenn.controlplane.audit.AuditTrail;
import io.wrenn.controlplane.http.Access;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.RouteTable;
import io.wrenn.controlplane.ids.WireId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /v1/auth/providers} lists the configured providers, so a login page can offer one
 * button each; {@code /v1/auth/oauth/{provider}/authorize} sends the browser to the provider with a fresh
 * state and a PKCE challenge; {@code …/callback} takes the code back, exchanges it with the
 * verifier and answers with a Wrenn token for the person it finds, links or creates.
 *
 * <p>{@code authorize} also sets a random cookie ({@value #BROWSER_COOKIE}) whose hash goes with
 * the state, limited to the callback's path; the callback honours the state only with that
 * cookie, so a login started in one browser cannot be finished in another.
 */
public final class OAuthRoutes {

    /** The cookie that binds a login to the browser that started it. */
    static final String BROWSER_COOKIE = "wrenn_oauth_browser";

    private final Map<String, OAuthProvider> providers = new LinkedHashMap<>();
    /** Cookies marked Secure: the public URL is https (a provider's redirect URI on https says so too). */
    private final boolean httpsPublicUrl;
    private final OAuthStates states;
    private final OAuthClient client = new OAuthClient();
    private final OAuthAccounts accounts;
    private final AccountService sessions;

    public OAuthRoutes(List<OAuthProvider> providers, org.jdbi.v3.core.Jdbi jdbi, OAuthAccounts accounts, AccountService sessions,
                       boolean httpsPublicUrl) {
        providers.forEach(p -> this.providers.put(p.name(), p));
        this.httpsPublicUrl = httpsPublicUrl;
        this.states = new OAuthStates(jdbi);
        this.accounts = accounts;
        this.sessions = sessions;
    }

    public void register(RouteTable routes) {
        routes.get("/v1/auth/providers", Access.PUBLIC, this::list);
        routes.get("/v1/auth/oauth/{provider}/authorize", Access.PUBLIC, this::authorize);
        routes.getAudited("/v1/auth/oauth/{provider}/callback", Access.PUBLIC, this::callback);
    }

    /** Only what a login page shows: each provider's path name and its name for people, and whether mail goes out. */
    private void list(Context ctx) {
        List<Map<String, String>> list = providers.values().stream().map(p -> {
            Map<String, String> view = new LinkedHashMap<>();
            view.put("id", p.name());
            view.put("name", p.label());
            return view;
        }).toList();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("providers", list);
        // Whether this Wrenn mails links (SMTP configured): the dashboard offers to verify an address only then.
        answer.put("sends_mail", sessions.verifiesByMail());
        ctx.json(answer);
    }

    private void authorize(Context ctx) {
        OAuthProvider provider = provider(ctx);
        OAuthStates.Started started = states.start(provider.name());
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", provider.clientId());
        query.put("redirect_uri", provider.redirectUri().toString());
        query.put("scope", provider.scope());
        query.put("state", started.state());
        query.put("code_challenge", challenge(started.codeVerifier()));
        query.put("code_challenge_method", "S256");
        String base = provider.authorizeUrl().toString();
        ctx.header("Set-Cookie", browserCookie(provider, started.browser(), OAuthStates.LIFETIME_MINUTES * 60));
        ctx.redirect(base + (base.contains("?") ? "&" : "?") + OAuthClient.form(query), io.javalin.http.HttpStatus.FOUND);
    }

    private void callback(Context ctx) {
        OAuthProvider provider = provider(ctx);
        // The cookie has served once whatever happens next: a retry starts a new login.
        String browser = ctx.cookie(BROWSER_COOKIE);
        ctx.header("Set-Cookie", browserCookie(provider, "", 0));
        if (ctx.queryParam("error") != null) {
            throw ApiException.invalid("the provider did not authorize the login");
        }
        String code = param(ctx, "code");
        String state = param(ctx, "state");
        String verifier = switch (states.consume(provider.name(), state, browser == null || browser.length() > 128 ? null : browser)) {
            case OAuthStates.Outcome.Verifier v -> v.codeVerifier();
            case OAuthStates.Outcome.Unknown u -> throw ApiException.invalid("unknown, used or expired 'state': start the login again");
            case OAuthStates.Outcome.OtherBrowser o -> throw new ApiException(ErrorCode.OAUTH_BROWSER_MISMATCH,
                    "this login was started in another browser (or its cookie is gone): start the login again here");
        };
        OAuthClient.Profile profile = client.profile(provider, client.exchange(provider, code, verifier));
        OAuthAccounts.Login login = accounts.login(provider.name(), profile);
        AccountService.Session session = sessions.session(login.userId(), login.teamId().orElse(null));
        AuditTrail.actor(ctx, login.userId());
        AuditTrail.resource(ctx, WireId.USER, login.userId());
        login.teamId().ifPresent(team -> AuditTrail.team(ctx, team));
        ctx.json(AccountViews.session(session));
    }

    /**
     * HttpOnly (no script reads it), SameSite=Lax (sent on the provider's top-level redirect back,
     * not on cross-site subrequests), limited to this provider's callback path, for as long as a state lives.
     */
    private String browserCookie(OAuthProvider provider, String value, int maxAgeSeconds) {
        boolean secure = httpsPublicUrl || "https".equalsIgnoreCase(provider.redirectUri().getScheme());
        return BROWSER_COOKIE + "=" + value + "; Path=/v1/auth/oauth/" + provider.name() + "/callback; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }

    private OAuthProvider provider(Context ctx) {
        return Optional.ofNullable(providers.get(ctx.pathParam("provider")))
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no such login provider"));
    }

    private static String param(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty() || value.length() > 512) {
            throw ApiException.invalid("'" + name + "' is missing or malformed");
        }
        return value;
    }

    /** PKCE S256: base64url(SHA-256(verifier)). */
    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
