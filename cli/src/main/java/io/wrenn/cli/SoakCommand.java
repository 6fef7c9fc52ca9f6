package io.wrenn.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code wrenn soak}: what the test suite cannot afford. First, pause/resume cycles of one
 * sandbox whose guest runs a process that counts and appends every number to a file: after every
 * resume that same process must still be counting on from where it was, and the file must hold
 * every number once, in order (nothing lost, nothing replayed). Then mixed API load for a while:
 * workers creating sandboxes from a snapshot, running commands, writing and reading files,
 * listing, pausing and resuming, deleting; every refusal counted. Exits 1 when anything was lost
 * or refused.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Pause/resume cycles with a counting process (nothing lost, no drift), then mixed API load.",
                "Runs on a Wrenn of its own (a temporary home); prints a report for the README; exits 1 on any loss or refusal."},
        footer = {"", "Examples:", "  ./wrenn soak                                  # the README's run: 200 cycles, 30 minutes",
                "  ./wrenn soak --cycles 20 --load-minutes 2     # a quick one"})
final class SoakCommand implements Callable<Integer> {

    /** In the guest: counts for ever, one number per line appended to the file, its pid kept beside it. */
    private static final String COUNTER = "setsid sh -c 'echo $$ > /home/user/counter.pid; n=0; "
            + "while :; do n=$((n+1)); echo $n >> /home/user/counted; sleep 0.05; done' </dev/null >/dev/null 2>&1 &";
    /**
     * The counter's pid (if it is alive), and its file's first and last numbers, line count and
     * lines out of place, read from one copy: the counter appends on meanwhile.
     */
    private static final String CHECK = "pid=$(cat /home/user/counter.pid); kill -0 $pid && cp /home/user/counted /tmp/seen && "
            + "echo $pid $(head -n 1 /tmp/seen) $(tail -n 1 /tmp/seen) $(wc -l < /tmp/seen) "
            + "$(awk 'NR != $1 {bad++} END {print bad+0}' /tmp/seen)";

    @Option(names = "--cycles", defaultValue = "200", description = "pause/resume cycles (default: ${DEFAULT-VALUE})")
    int cycles;

    @Option(names = "--load-minutes", defaultValue = "30", description = "minutes of mixed API load (default: ${DEFAULT-VALUE}; 0 = skip)")
    int loadMinutes;

    @Option(names = "--workers", defaultValue = "4", description = "concurrent clients of the mixed load (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--template", defaultValue = "minimal", description = "template of the sandboxes (default: ${DEFAULT-VALUE})")
    String template;

    private LocalApi api;

    @Override
    public Integer call() throws Exception {
        try (PrivateWrenn own = PrivateWrenn.start("soak")) {
            api = new LocalApi(own.baseUrl(), own.wrenn().apiKey());
            boolean cyclesHeld = cycles <= 0 || pauseResumeCycles();
            boolean loadHeld = loadMinutes <= 0 || mixedLoad();
            return cyclesHeld && loadHeld ? 0 : 1;
        }
    }

    private boolean pauseResumeCycles() throws Exception {
        String id = api.call("POST", "/v1/sandboxes", LocalApi.json(Map.of("template", template, "timeout_s", 86_400)))
                .get("id").asString();
        exec(id, COUNTER);
        String pid = null;
        long lastCount = 0;
        List<String> problems = new ArrayList<>();
        List<Double> pauses = new ArrayList<>();
        List<Double> resumes = new ArrayList<>();
        for (int cycle = 1; cycle <= cycles && problems.size() < 10; cycle++) {
            long t0 = System.nanoTime();
            api.call("POST", "/v1/sandboxes/" + id + "/pause", null);
            long t1 = System.nanoTime();
            api.call("POST", "/v1/sandboxes/" + id + "/resume", null);
            long t2 = System.nanoTime();
            pauses.add(ms(t1 - t0));
            resumes.add(ms(t2 - t1));
            String[] seen = exec(id, CHECK).strip().split("\\s+");
            if (seen.length != 5) {
                problems.add("cycle " + cycle + ": the counter is gone (" + String.join(" ", seen) + ")");
                continue;
            }
            long count = Long.parseLong(seen[3]);
            if (pid != null && !pid.equals(seen[0])) {
                problems.add("cycle " + cycle + ": another counting process (" + seen[0] + ", was " + pid + ")");
            }
            if (!seen[1].equals("1") || !seen[2].equals(seen[3]) || !seen[4].equals("0")) {
                problems.add("cycle " + cycle + ": numbers lost or repeated (first " + seen[1] + ", last " + seen[2]
                        + ", lines " + seen[3] + ", out of place " + seen[4] + ")");
            }
            if (count < lastCount) {
                problems.add("cycle " + cycle + ": the count went back from " + lastCount + " to " + count);
            }
            pid = seen[0];
            lastCount = count;
            if (cycle % 20 == 0) {
                System.err.printf("soak: %d cycles, counted to %d%n", cycle, count);
            }
        }
        api.call("DELETE", "/v1/sandboxes/" + id, null);
        System.out.printf("%n## Pause/resume soak%n%n%d cycles of one `%s` sandbox counting in memory and appending to a file:"
                        + " %s; counted to %d.%n%n", pauses.size(), template,
                problems.isEmpty() ? "nothing lost, no drift" : problems.size() + " problems", lastCount);
        System.out.println("| step (ms) | median | p99 | max |");
        System.out.println("| --- | ---: | ---: | ---: |");
        System.out.println(Stats.of(pauses).markdown("pause"));
        System.out.println(Stats.of(resumes).markdown("resume"));
        problems.forEach(problem -> System.out.println("- " + problem));
        return problems.isEmpty();
    }

    private boolean mixedLoad() throws Exception {
        String source = api.call("POST", "/v1/sandboxes", LocalApi.json(Map.of("template", template))).get("id").asString();
        exec(source, "echo soak > /home/user/base");
        api.call("POST", "/v1/snapshots", LocalApi.json(Map.of("sandbox_id", source, "name", "soak-base")));
        api.call("DELETE", "/v1/sandboxes/" + source, null);

        Map<String, ConcurrentLinkedQueue<Double>> latencies = new ConcurrentHashMap<>();
        Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
        List<String> firstRefusals = java.util.Collections.synchronizedList(new ArrayList<>());
        long deadline = System.nanoTime() + Duration.ofMinutes(loadMinutes).toNanos();
        long started = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < workers; w++) {
                pool.submit(() -> {
                    Worker worker = new Worker(latencies, refusals, firstRefusals);
                    while (System.nanoTime() < deadline) {
                        worker.step();
                    }
                    worker.close();
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        api.call("DELETE", "/v1/snapshots/soak-base", null);

        long total = latencies.values().stream().mapToLong(java.util.Collection::size).sum();
        long refused = refusals.values().stream().mapToLong(AtomicLong::get).sum();
        System.out.printf("%n## Mixed API load%n%n%d minutes, %d workers: %d calls (%.1f/s), %d refused.%n%n",
                loadMinutes, workers, total, total / seconds, refused);
        System.out.println("| call | count | refused | median (ms) | p99 (ms) |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        latencies.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            Stats stats = Stats.of(List.copyOf(entry.getValue()));
            System.out.printf("| %s | %d | %d | %.1f | %.1f |%n", entry.getKey(), stats.count(),
                    refusals.getOrDefault(entry.getKey(), new AtomicLong()).get(), stats.median(), stats.p99());
        });
        firstRefusals.forEach(refusal -> System.out.println("- " + refusal));
        return refused == 0;
    }

    /** One client of the mixed load: a sandbox of its own from the snapshot, replaced now and then. */
    private final class Worker {
        private final Map<String, ConcurrentLinkedQueue<Double>> latencies;
        private final Map<String, AtomicLong> refusals;
        private final List<String> firstRefusals;
        private String sandbox;
        private int writes;

        Worker(Map<String, ConcurrentLinkedQueue<Double>> latencies, Map<String, AtomicLong> refusals, List<String> firstRefusals) {
            this.latencies = latencies;
            this.refusals = refusals;
            this.firstRefusals = firstRefusals;
        }

        void step() throws Exception {
            if (sandbox == null) {
                LocalApi.Answer created = timed("create from snapshot", "POST", "/v1/sandboxes",
                        LocalApi.json(Map.of("template", "soak-base")));
                if (created.ok()) {
                    sandbox = LocalApi.parse(created.body()).get("id").asString();
                }
                return;
            }
            int pick = ThreadLocalRandom.current().nextInt(100);
            String path = "/v1/sandboxes/" + sandbox;
            if (pick < 30) {
                timed("exec", "POST", path + "/exec", LocalApi.json(Map.of("cmd", "cat", "args", List.of("/home/user/base"))));
            } else if (pick < 45) {
                timed("write file", "PUT", path + "/files?path=/home/user/w" + (writes++ % 8), "x".repeat(4096));
            } else if (pick < 60) {
                timed("read file", "GET", path + "/files?path=/home/user/base", null);
            } else if (pick < 75) {
                timed("get sandbox", "GET", path, null);
            } else if (pick < 88) {
                timed("list sandboxes", "GET", "/v1/sandboxes?limit=50", null);
            } else if (pick < 95) {
                timed("pause", "POST", path + "/pause", null);
                timed("resume", "POST", path + "/resume", null);
            } else {
                close();
            }
        }

        void close() throws Exception {
            if (sandbox != null) {
                timed("delete", "DELETE", "/v1/sandboxes/" + sandbox, null);
                sandbox = null;
            }
        }

        private LocalApi.Answer timed(String call, String method, String path, String body) throws Exception {
            long t0 = System.nanoTime();
            LocalApi.Answer answer = api.send(method, path, body);
            latencies.computeIfAbsent(call, k -> new ConcurrentLinkedQueue<>()).add(ms(System.nanoTime() - t0));
            if (!answer.ok()) {
                refusals.computeIfAbsent(call, k -> new AtomicLong()).incrementAndGet();
                if (firstRefusals.size() < 10) {
                    firstRefusals.add(call + ": " + answer.status() + " " + answer.body());
                }
            }
            return answer;
        }
    }

    private String exec(String id, String script) throws Exception {
        JsonNode done = api.call("POST", "/v1/sandboxes/" + id + "/exec",
                LocalApi.json(Map.of("cmd", "sh", "args", List.of("-c", script))));
        return done.get("stdout").asString();
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    /** Median, 99th percentile and maximum of some durations. */
    record Stats(int count, double median, double p99, double max) {
        static Stats of(List<Double> samples) {
            if (samples.isEmpty()) {
                return new Stats(0, Double.NaN, Double.NaN, Double.NaN);
            }
            List<Double> sorted = samples.stream().sorted().toList();
            return new Stats(sorted.size(), sorted.get(sorted.size() / 2),
                    sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)), sorted.getLast());
        }

        String markdown(String name) {
            return "| %s | %.1f | %.1f | %.1f |".formatted(name, median, p99, max);
        }
    }
}
