package io.wrenn.controlplane.build;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The little of a POSIX shell's word rules recipes need: splitting on blanks outside quotes,
 * and expanding {@code $VAR}, {@code ${VAR}} and {@code ${VAR:-default}} as {@code sh} would
 * (nothing inside single quotes, a backslash escapes the next character, an unknown variable is
 * empty). No command substitution, globbing or arithmetic: a recipe value is data.
 */
final class ShellWords {

    private ShellWords() {
    }

    /** Words with their quotes removed and nothing expanded; empty when a quote is not closed. */
    static Optional<List<String>> split(String text) {
        return splitRaw(text).map(words -> words.stream().map(word -> expand(word, Map.of(), false)).toList());
    }

    /** Words as written, quotes kept (for a later {@link #expand}); empty when a quote is not closed. */
    static Optional<List<String>> splitRaw(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            word.append(c);
            if (c == '\\' && quote != '\'' && i + 1 < text.length()) {
                word.append(text.charAt(++i));
            } else if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        if (quote != 0) {
            return Optional.empty();
        }
        if (inWord) {
            words.add(word.toString());
        }
        return Optional.of(words);
    }

    /** One raw word with its quotes removed and its variables replaced from {@code env}. */
    static String expand(String raw, Map<String, String> env) {
        return expand(raw, env, true);
    }

    private static String expand(String raw, Map<String, String> env, boolean variables) {
        StringBuilder out = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    out.append(c);
                }
            } else if (c == '\\' && i + 1 < raw.length()) {
                char next = raw.charAt(i + 1);
                // Inside double quotes a backslash escapes only $ ` " \ (as in sh); elsewhere anything.
                if (quote == '"' && "$`\"\\".indexOf(next) < 0) {
                    out.append(c);
                } else {
                    out.append(next);
                    i++;
                }
            } else if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (quote == '"' && c == '"') {
                quote = 0;
            } else if (c == '$' && variables) {
                i = variable(raw, i, env, out);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Appends the value of the variable at {@code raw[dollar]}; returns the index of its last character. */
    private static int variable(String raw, int dollar, Map<String, String> env, StringBuilder out) {
        int i = dollar + 1;
        if (i < raw.length() && raw.charAt(i) == '{') {
            int close = raw.indexOf('}', i);
            if (close < 0) {
                out.append(raw, dollar, raw.length());
                return raw.length() - 1;
            }
            String inside = raw.substring(i + 1, close);
            int fallbackAt = inside.indexOf(":-");
            String name = fallbackAt < 0 ? inside : inside.substring(0, fallbackAt);
            String value = env.get(name);
            if ((value == null || value.isEmpty()) && fallbackAt >= 0) {
                value = expand(inside.substring(fallbackAt + 2), env, true);
            }
            out.append(value == null ? "" : value);
            return close;
        }
        int end = i;
        while (end < raw.length() && (Character.isLetterOrDigit(raw.charAt(end)) || raw.charAt(end) == '_')
                && raw.charAt(end) < 0x80) {
            end++;
        }
        if (end == i) {
            out.append('$'); // a lone $ stays, as in sh
            return dollar;
        }
        out.append(env.getOrDefault(raw.substring(i, end), ""));
        return end - 1;
    }

    /** {@code value} in single quotes for {@code sh}, whatever it holds. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
