package io.wrenn.cli.commands;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a read verb prints: a table (or {@code key: value} lines) for people, or with
 * {@code --json} the SDK's records as JSON with the API's snake_case names, for scripts.
 */
public final class Output {
    static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
            .build();

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--json", description = "print JSON, for scripts")
    boolean json;

    PrintWriter out() {
        return mixee.commandLine().getOut();
    }

    /** Prints a build's log lines as they come (stderr's to stderr); nothing with {@code --json}. */
    java.util.function.Consumer<io.wrenn.sdk.BuildLogLine> buildLog() {
        return line -> {
            if (!json) {
                PrintWriter to = line.stream().equals("stderr") ? mixee.commandLine().getErr() : out();
                to.println("[" + line.step() + "] " + line.line());
                to.flush();
            }
        };
    }

    /** Prints one value: JSON, or the lines people read. */
    void value(Object value, List<String[]> lines) {
        if (json) {
            out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } else {
            int width = lines.stream().mapToInt(line -> line[0].length()).max().orElse(0);
            for (String[] line : lines) {
                out().printf("%-" + width + "s  %s%n", line[0], line[1] == null ? "-" : line[1]);
            }
        }
        out().flush();
    }

    /** Prints rows: a JSON array, or a table with a header. */
    <T> void table(List<T> rows, List<String> header, Function<T, List<String>> columns) {
        if (json) {
            out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rows));
            out().flush();
            return;
        }
        List<List<String>> cells = new ArrayList<>();
        cells.add(header);
        rows.forEach(row -> cells.add(columns.apply(row)));
        int[] widths = new int[header.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], String.valueOf(line.get(i)).length());
            }
        }
        for (List<String> line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                String cell = line.get(i) == null ? "-" : line.get(i);
                text.append(i == widths.length - 1 ? cell : String.format("%-" + widths[i] + "s  ", cell));
            }
            out().println(text.toString().stripTrailing());
        }
        out().flush();
    }
}
