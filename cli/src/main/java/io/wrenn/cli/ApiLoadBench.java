package io.wrenn.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `wrenn bench`'s API load rows: requests per second and latency percentiles of authenticated
 * reads ({@code GET /v1/sandboxes/{id}} and the list, with an API key) beside {@code /health},
 * which costs no authentication and no query: the difference is what a read costs. Measured with
 * wrk (Debian's package) rather than a JVM client, which would compete with the server for the
 * same cores far more than wrk does.
 */
final class ApiLoadBench {

    /** One measured route. */
    record Load(String route, double requestsPerSecond, double p50Ms, double p99Ms, long errors) {
    }

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|99)(?:\\.0+)?%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern ERRORS = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private final int seconds;
    private final int connections;

    ApiLoadBench(int seconds, int connections) {
        this.seconds = seconds;
        this.connections = connections;
    }

    /** Whether wrk is on the PATH: without it the rows are left out, and the report says so. */
    static boolean available() {
        try {
            Process probe = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            probe.waitFor();
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The three routes, one after the other, for the report. */
    List<Load> run(String baseUrl, String apiKey, String sandboxId) throws IOException, InterruptedException {
        List<Load> loads = new ArrayList<>();
        loads.add(measure("GET /health", baseUrl + "/health", null));
        loads.add(measure("GET /v1/sandboxes/{id} (API key)", baseUrl + "/v1/sandboxes/" + sandboxId, apiKey));
        loads.add(measure("GET /v1/sandboxes (API key)", baseUrl + "/v1/sandboxes", apiKey));
        return loads;
    }

    private Load measure(String route, String url, String apiKey) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t", "2", "-c", Integer.toString(connections),
                "-d", seconds + "s", "--latency"));
        if (apiKey != null) {
            command.addAll(List.of("-H", "X-API-Key: " + apiKey));
        }
        command.add(url);
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IOException("wrk failed on " + route + ": " + output.strip());
        }
        return parse(route, output);
    }

    /** The figures of one wrk run's report. */
    static Load parse(String route, String output) {
        Matcher rate = RATE.matcher(output);
        if (!rate.find()) {
            throw new IllegalArgumentException("no Requests/sec in wrk's report: " + output.strip());
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher percentile = PERCENTILE.matcher(output);
        while (percentile.find()) {
            double ms = toMillis(Double.parseDouble(percentile.group(2)), percentile.group(3));
            if (percentile.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        long errors = Optional.of(ERRORS.matcher(output)).filter(Matcher::find).map(m -> Long.parseLong(m.group(1))).orElse(0L);
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int group = 1; group <= 4; group++) {
                errors += Long.parseLong(socket.group(group));
            }
        }
        return new Load(route, Double.parseDouble(rate.group(1)), p50, p99, errors);
    }

    private static double toMillis(double value, String unit) {
        return switch (unit) {
            case "us" -> value / 1000;
            case "ms" -> value;
            default -> value * 1000;
        };
    }

    /** Markdown rows: each route, and its rate against /health's. */
    static List<String> markdown(List<Load> loads, int connections) {
        double health = loads.getFirst().requestsPerSecond();
        List<String> lines = new ArrayList<>();
        for (Load load : loads) {
            lines.add("| %s, %d connections | %.0f | %.2f | %.2f | %.2f× | %d |".formatted(load.route(), connections,
                    load.requestsPerSecond(), load.p50Ms(), load.p99Ms(), load.requestsPerSecond() / health, load.errors()));
        }
        return lines;
    }
}
