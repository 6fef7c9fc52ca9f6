package io.wrenn.controlplane.mail;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where and as whom the control plane sends mail, from {@code WRENN_SMTP_URL}:
 * {@code smtp://user:password@host:587} (STARTTLS when the server offers it; add
 * {@code ?starttls=required} to refuse a server that does not) or {@code smtps://…:465}
 * (TLS from the first byte). User and password are optional and percent-decoded.
 *
 * @param from       the sender address ({@code WRENN_MAIL_FROM}), e.g. {@code Wrenn <wrenn@example.com>}
 * @param publicUrl  where people reach this Wrenn ({@code WRENN_PUBLIC_URL}); mailed links start with it
 */
public record MailSettings(String host, int port, boolean implicitTls, boolean requireStartTls, String user, String password,
                           String from, URI publicUrl) {

    public MailSettings {
        requireNonNull(host, "host");
        requireNonNull(from, "from");
        requireNonNull(publicUrl, "publicUrl");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("SMTP port out of range: " + port);
        }
        if (from.isBlank() || from.indexOf('@') < 0 || from.chars().anyMatch(c -> c == '\r' || c == '\n')) {
            throw new IllegalArgumentException("WRENN_MAIL_FROM must be an email address, optionally with a name");
        }
        String scheme = publicUrl.getScheme() == null ? "" : publicUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || publicUrl.getHost() == null) {
            throw new IllegalArgumentException("WRENN_PUBLIC_URL must be an http(s) URL, e.g. https://wrenn.example");
        }
    }

    /** Parses {@code WRENN_SMTP_URL}; the message never repeats the URL, which may hold a password. */
    public static MailSettings parse(String smtpUrl, String from, URI publicUrl) {
        URI url;
        try {
            url = new URI(smtpUrl.strip());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("WRENN_SMTP_URL is not a URL (smtp://user:password@host:587 or smtps://…)");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("smtp") && !scheme.equals("smtps")) {
            throw new IllegalArgumentException("WRENN_SMTP_URL must start with smtp:// or smtps://");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("WRENN_SMTP_URL names no host");
        }
        boolean implicitTls = scheme.equals("smtps");
        int port = url.getPort() > 0 ? url.getPort() : implicitTls ? 465 : 587;
        String user = null;
        String password = null;
        if (url.getRawUserInfo() != null) {
            String info = url.getRawUserInfo();
            int colon = info.indexOf(':');
            user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
            password = colon < 0 ? "" : URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
        }
        boolean requireStartTls = url.getQuery() != null && url.getQuery().contains("starttls=required");
        return new MailSettings(url.getHost(), port, implicitTls, requireStartTls, user, password, from.strip(), publicUrl);
    }

    /** A link to a dashboard page, e.g. {@code page("/dashboard/verify-email#token=…")}. */
    public String link(String pathAndFragment) {
        String base = publicUrl.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + pathAndFragment;
    }

    /** Never the password: settings end up in logs and exception messages. */
    @Override
    public String toString() {
        return (implicitTls ? "smtps://" : "smtp://") + (user == null ? "" : user + ":***@") + host + ":" + port;
    }
}
