package io.wrenn.controlplane.build;

import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.template.TemplateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a recipe's text, one instruction per line: {@code FROM}, {@code RUN}, {@code ENV},
 * {@code COPY}, {@code USER}, {@code WORKDIR}, {@code START}, {@code READY}. Keywords are case
 * insensitive; blank lines and lines starting with {@code #} are skipped; a line ending in
 * {@code \} continues on the next. Every mistake is a 400 naming its line.
 */
public final class RecipeParser {

    /** Longest recipe text accepted, and most steps. */
    public static final int MAX_BYTES = 256 * 1024;
    public static final int MAX_STEPS = 500;
    /** A RUN's timeout when none is given, and the longest allowed. */
    public static final int DEFAULT_RUN_TIMEOUT_S = 600;
    public static final int MAX_RUN_TIMEOUT_S = 3600;
    static final int DEFAULT_READY_INTERVAL_S = 2;
    static final int DEFAULT_READY_TIMEOUT_S = 10;
    static final int DEFAULT_READY_RETRIES = 30;

    public static final Pattern USER_NAME = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    public static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern MODE = Pattern.compile("0?[0-7]{3,4}");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})(ms|s|m|h)?");
    private static final Pattern FLAG = Pattern.compile("--([a-z]+)=(\\S*)");

    private RecipeParser() {
    }

    public static Recipe parse(String text) {
        if (text == null || text.isBlank()) {
            throw ApiException.invalid("the recipe is empty");
        }
        if (text.length() > MAX_BYTES) {
            throw ApiException.invalid("the recipe is longer than " + MAX_BYTES + " characters");
        }
        String from = null;
        List<Step> steps = new ArrayList<>();
        Step.Start start = null;
        Step.Ready ready = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            StringBuilder joined = new StringBuilder(lines[i]);
            while (endsWithContinuation(joined) && i + 1 < lines.length) {
                joined.setLength(joined.length() - 1);
                joined.append('\n').append(lines[++i]);
            }
            String line = joined.toString().strip();
            // Checked before comments are skipped: the whole text is stored with the build, and
            // PostgreSQL's text refuses NUL, so a NUL in a comment would fail the insert (a 500).
            for (char c : line.toCharArray()) {
                if (c < 0x20 && c != '\t' && c != '\n') {
                    throw error(lineNo, "control characters are not allowed");
                }
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = firstSpace(line);
            String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String rest = space < 0 ? "" : line.substring(space + 1).strip();
            if (from == null && !keyword.equals("FROM")) {
                throw error(lineNo, "the first instruction must be FROM <template>");
            }
            switch (keyword) {
                case "FROM" -> {
                    if (from != null) {
                        throw error(lineNo, "FROM may appear only once");
                    }
                    if (!TemplateStore.NAME.matcher(rest).matches()) {
                        throw error(lineNo, "FROM needs one template name");
                    }
                    from = rest;
                }
                case "RUN" -> {
                    Flags flags = Flags.read(lineNo, rest, "timeout");
                    int timeout = flags.seconds("timeout", DEFAULT_RUN_TIMEOUT_S, 1, MAX_RUN_TIMEOUT_S);
                    steps.add(new Step.Run(lineNo, require(lineNo, flags.rest(), "RUN needs a command"), timeout, null));
                }
                case "ENV" -> steps.add(new Step.Env(lineNo, envPairs(lineNo, rest)));
                case "COPY" -> steps.add(copy(lineNo, rest));
                case "USER" -> {
                    if (!USER_NAME.matcher(rest).matches()) {
                        throw error(lineNo, "USER needs a user name (a-z, 0-9, '_', '-', at most 32, not starting with a digit)");
                    }
                    steps.add(new Step.User(lineNo, rest));
                }
                case "WORKDIR" -> steps.add(new Step.Workdir(lineNo, checkPath(lineNo, require(lineNo, rest, "WORKDIR needs a directory"))));
                case "START" -> {
                    if (start != null) {
                        throw error(lineNo, "START may appear only once");
                    }
                    start = new Step.Start(lineNo, require(lineNo, rest, "START needs a command"));
                }
                case "READY" -> {
                    if (ready != null) {
                        throw error(lineNo, "READY may appear only once");
                    }
                    Flags flags = Flags.read(lineNo, rest, "interval", "timeout", "retries");
                    ready = new Step.Ready(lineNo, require(lineNo, flags.rest(), "READY needs a command"),
                            flags.seconds("interval", DEFAULT_READY_INTERVAL_S, 1, 600),
                            flags.seconds("timeout", DEFAULT_READY_TIMEOUT_S, 1, 600),
                            flags.integer("retries", DEFAULT_READY_RETRIES, 1, 1000));
                }
                default -> throw error(lineNo, "unknown instruction '" + truncate(keyword)
                        + "' (FROM, RUN, ENV, COPY, USER, WORKDIR, START, READY)");
            }
            if (steps.size() > MAX_STEPS) {
                throw error(lineNo, "a recipe has at most " + MAX_STEPS + " steps");
            }
        }
        if (from == null) {
            throw ApiException.invalid("the recipe has no FROM");
        }
        if (start != null) {
            steps.add(start);
        }
        if (ready != null) {
            steps.add(ready);
        }
        return new Recipe(from, steps);
    }

    private static boolean endsWithContinuation(CharSequence line) {
        return line.length() > 0 && line.charAt(line.length() - 1) == '\\';
    }

    private static int firstSpace(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (Character.isWhitespace(line.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static Step.Copy copy(int lineNo, String rest) {
        Flags flags = Flags.read(lineNo, rest, "chown", "chmod");
        List<String> words = ShellWords.split(flags.rest()).orElseThrow(() -> error(lineNo, "unbalanced quotes"));
        if (words.size() < 2) {
            throw error(lineNo, "COPY needs a source in the archive and a destination");
        }
        List<String> sources = words.subList(0, words.size() - 1);
        for (String source : sources) {
            String problem = ArchivePaths.problem(source);
            if (problem != null) {
                throw error(lineNo, "COPY source '" + truncate(source) + "' " + problem);
            }
        }
        String user = flags.text("chown");
        if (user != null && !USER_NAME.matcher(user).matches()) {
            throw error(lineNo, "--chown needs a user name");
        }
        String mode = flags.text("chmod");
        if (mode != null && !MODE.matcher(mode).matches()) {
            throw error(lineNo, "--chmod needs an octal mode such as 0644");
        }
        return new Step.Copy(lineNo, List.copyOf(sources), checkPath(lineNo, words.getLast()), null, user, mode);
    }

    /** Null when {@code source} may name a path of a COPY's archive; else what is wrong with it. */
    public static String copySourceProblem(String source) {
        return ArchivePaths.problem(source);
    }

    static String checkPath(int lineNo, String path) {
        if (path.length() > 4096 || path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0) {
            throw error(lineNo, "the path is not valid");
        }
        return path;
    }

    static List<Step.Var> envPairs(int lineNo, String rest) {
        List<String> words = ShellWords.splitRaw(rest).orElseThrow(() -> error(lineNo, "unbalanced quotes"));
        if (words.isEmpty()) {
            throw error(lineNo, "ENV needs KEY=VALUE");
        }
        List<Step.Var> vars = new ArrayList<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq <= 0 || !ENV_NAME.matcher(word.substring(0, eq)).matches()) {
                throw error(lineNo, "ENV needs KEY=VALUE pairs with names of letters, digits and '_'");
            }
            vars.add(new Step.Var(word.substring(0, eq), word.substring(eq + 1)));
        }
        return vars;
    }

    private static String require(int lineNo, String value, String message) {
        if (value.isBlank()) {
            throw error(lineNo, message);
        }
        return value;
    }

    public static ApiException error(int lineNo, String message) {
        return ApiException.invalid("recipe line " + lineNo + ": " + message);
    }

    private static String truncate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

    /** Leading {@code --name=value} flags of an instruction, then the rest of the line. */
    private record Flags(int lineNo, java.util.Map<String, String> values, String rest) {

        static Flags read(int lineNo, String text, String... allowed) {
            java.util.Map<String, String> values = new java.util.HashMap<>();
            String rest = text;
            while (rest.startsWith("--")) {
                int end = firstSpace(rest);
                String flag = end < 0 ? rest : rest.substring(0, end);
                Matcher m = FLAG.matcher(flag);
                if (!m.matches() || !List.of(allowed).contains(m.group(1))) {
                    throw error(lineNo, "unknown flag '" + truncate(flag) + "' (allowed: --" + String.join("=, --", allowed) + "=)");
                }
                if (values.put(m.group(1), m.group(2)) != null) {
                    throw error(lineNo, "--" + m.group(1) + " given twice");
                }
                rest = end < 0 ? "" : rest.substring(end + 1).strip();
            }
            return new Flags(lineNo, values, rest);
        }

        String text(String name) {
            return values.get(name);
        }

        int seconds(String name, int fallback, int min, int max) {
            String value = values.get(name);
            if (value == null) {
                return fallback;
            }
            Matcher m = DURATION.matcher(value);
            if (!m.matches()) {
                throw error(lineNo, "--" + name + " needs a duration such as 30s, 5m or 1h");
            }
            long amount = Long.parseLong(m.group(1));
            long seconds = switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> (amount + 999) / 1000;
                case "m" -> amount * 60;
                case "h" -> amount * 3600;
                default -> amount;
            };
            if (seconds < min || seconds > max) {
                throw error(lineNo, "--" + name + " must be from " + min + " s to " + max + " s");
            }
            return (int) seconds;
        }

        int integer(String name, int fallback, int min, int max) {
            String value = values.get(name);
            if (value == null) {
                return fallback;
            }
            if (!value.matches("\\d{1,7}") || Integer.parseInt(value) < min || Integer.parseInt(value) > max) {
                throw error(lineNo, "--" + name + " must be a whole number from " + min + " to " + max);
            }
            return Integer.parseInt(value);
        }
    }
}
