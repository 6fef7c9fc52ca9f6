package io.wrenn.controlplane.oauth;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * A GitHub-style OAuth 2 provider: an authorization endpoint, a token endpoint that answers
 * JSON when asked, a user endpoint ({@code id}, {@code login}, {@code name}) and an emails
 * endpoint ({@code [{email, primary, verified}]}). GitHub's own values are in {@link #github}.
 *
 * @param name         the path segment: {@code /v1/auth/oauth/{name}/…}
 * @param redirectUri  this control plane's callback as the provider knows it
 *                     ({@code https://wrenn.example/v1/auth/oauth/{name}/callback})
 */
public record OAuthProvider(String name, URI authorizeUrl, URI tokenUrl, URI userUrl, URI emailsUrl, String clientId,
                            String clientSecret, URI redirectUri, String scope) {

    public OAuthProvider {
        requireNonNull(name, "name");
        requireNonNull(authorizeUrl, "authorizeUrl");
        requireNonNull(tokenUrl, "tokenUrl");
        requireNonNull(userUrl, "userUrl");
        requireNonNull(emailsUrl, "emailsUrl");
        requireNonNull(clientId, "clientId");
        requireNonNull(clientSecret, "clientSecret");
        requireNonNull(redirectUri, "redirectUri");
        scope = scope == null ? "" : scope;
        if (!name.matches("[a-z][a-z0-9-]{0,31}")) {
            throw new IllegalArgumentException("provider name must be lower-case letters, digits and dashes: " + name);
        }
    }

    /** The provider's name for people, as a login button says it: "GitHub" for {@code github}, else the name capitalised. */
    public String label() {
        if (name.equals("github")) {
            return "GitHub";
        }
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    public static OAuthProvider github(String clientId, String clientSecret, URI redirectUri) {
        return new OAuthProvider("github", URI.create("https://github.com/login/oauth/authorize"),
                URI.create("https://github.com/login/oauth/access_token"), URI.create("https://api.github.com/user"),
                URI.create("https://api.github.com/user/emails"), clientId, clientSecret, redirectUri, "read:user user:email");
    }
}
