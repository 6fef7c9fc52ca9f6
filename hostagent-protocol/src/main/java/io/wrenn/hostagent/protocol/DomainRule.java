package io.wrenn.hostagent.protocol;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A domain entry of an egress allow list, with E2B's forms: an exact name ({@code example.com},
 * matching that name only), a subdomain wildcard ({@code *.example.com}, matching every name
 * that ends in {@code .example.com} but not {@code example.com} itself) or {@code *} (any name).
 * Names are kept lower-case without a trailing dot. No other wildcard is accepted
 * ({@code foo*.com}, {@code *example.com}, {@code a.*.com}): a rule means exactly what it says.
 */
public record DomainRule(String pattern) {

    /** The longest name DNS carries. */
    public static final int MAX_LENGTH = 253;

    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");

    public DomainRule {
        pattern = normalise(pattern);
    }

    /** Parses a rule; throws {@link IllegalArgumentException} with the reason otherwise. */
    public static DomainRule parse(String text) {
        return new DomainRule(text);
    }

    /** Whether {@code text} is a domain rule of an accepted form. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String normalise(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty domain name");
        }
        String name = text.strip().toLowerCase(Locale.ROOT);
        if (name.equals("*")) {
            return name;
        }
        String base = name.startsWith("*.") ? name.substring(2) : name;
        if (base.contains("*")) {
            throw new IllegalArgumentException("unsupported wildcard (only '*' and '*.domain' are accepted)");
        }
        if (base.endsWith(".")) {
            base = base.substring(0, base.length() - 1);
        }
        if (!isName(base)) {
            throw new IllegalArgumentException("not a valid domain name");
        }
        return name.startsWith("*.") ? "*." + base : base;
    }

    /** Whether {@code name} (lower-case, no trailing dot) is a syntactically valid host name. */
    public static boolean isName(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // An all-numeric last label would make "1.2.3.4"-like text a name; it is an address or nothing.
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    /** Whether a host name (from DNS, TLS SNI or an HTTP Host header) is covered by this rule. */
    public boolean matches(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (pattern.equals("*")) {
            return !name.isEmpty();
        }
        if (pattern.startsWith("*.")) {
            return name.endsWith(pattern.substring(1));
        }
        return name.equals(pattern);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
