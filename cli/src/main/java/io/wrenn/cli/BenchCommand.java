package io.wrenn.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.wrenn.controlplane.ids.WireId;
import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.rpc.HostFacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * `wrenn bench`: starts a private all-in-one Wrenn (its own home, the shared image cache) and
 * measures what users feel, next to the floor each is built on. Prints a Markdown table.
 */
@Command(name = "bench", description = "Measure create and exec latency on this machine.")
final class BenchCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = "--creates", defaultValue = "5", description = "cold creates to time")
    int creates;

    @Option(names = "--execs", defaultValue = "50", description = "exec round trips to time")
    int execs;

    @Option(names = "--template", defaultValue = "minimal")
    String template;

    @Option(names = "--grow-disk-mb", defaultValue = "4096",
            description = "disk of the cold creates that grow the compact image (any size but the image's own)")
    int growDiskMb;

    @Option(names = "--restores", defaultValue = "5", description = "creates from a snapshot (and bare restores) to time")
    int restores;

    @Option(names = "--idle", defaultValue = "10", description = "idle sandboxes of one snapshot whose memory is measured")
    int idle;

    @Option(names = "--http-requests", defaultValue = "500",
            description = "GETs per run of the inbound HTTP rows (through Wrenn and straight to the namespace; 0 = skip)")
    int httpRequests;

    @Option(names = "--rebuilds", defaultValue = "3", description = "rebuilds of a two-step recipe to time, with and without the cache")
    int rebuilds;

    @Option(names = "--api-load-seconds", defaultValue = "10",
            description = "seconds of wrk load per API route (authenticated reads beside /health; 0 = skip)")
    int apiLoadSeconds;

    @Option(names = "--api-load-connections", defaultValue = "32", description = "wrk's open connections")
    int apiLoadConnections;

    @Option(names = "--concurrent-creates", split = ",", defaultValue = "1,4,8",
            description = "cold creates started at once, per run (comma separated; 0 = skip)")
    List<Integer> concurrentCreates;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String base;
    private String key;
    private LocalApi api;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Every row is a median of its runs and most rows are ratios of two medians: a count of
        // zero would leave nothing to compare, so it is refused before anything boots.
        atLeastOne("--creates", creates);
        atLeastOne("--execs", execs);
        atLeastOne("--restores", restores);
        atLeastOne("--idle", idle);
        try (PrivateWrenn own = PrivateWrenn.start("bench")) {
            AllInOne wrenn = own.wrenn();
            base = own.baseUrl();
            key = wrenn.apiKey();
            api = new LocalApi(base, key);
            List<Row> rows = new ArrayList<>();

            // The cold rows (and every row after them) measure cold boots: no warm snapshot serves them.
            wrenn.agent().sandboxes().warmStarts(false);
            List<Double> create = new ArrayList<>();
            List<Double> createToExec = new ArrayList<>();
            timeCreates(create, createToExec);
            rows.add(Row.of("cold create (`" + template + "`, API 201)", create));
            rows.add(Row.of("cold create → first exec answered", createToExec));
            // The default disk is the image's own size: nothing to grow. Any other size boots the
            // compact image and waits for the guest's online resize2fs, as every cold create did
            // before images were built at the default size.
            List<Double> grown = new ArrayList<>();
            for (int i = 0; i < creates; i++) {
                long t0 = System.nanoTime();
                String id = call("POST", "/v1/sandboxes", "{\"template\":\"" + template + "\",\"disk_size_mb\":" + growDiskMb + "}")
                        .get("id").asString();
                grown.add(ms(System.nanoTime() - t0));
                call("DELETE", "/v1/sandboxes/" + id, null);
            }
            rows.add(Row.of("cold create, `disk_size_mb` " + growDiskMb + " (compact image grown in the guest)", grown));
            List<Double> warm = warmCreateRows(wrenn, rows);

            String id = call("POST", "/v1/sandboxes", "{\"template\":\"" + template + "\"}").get("id").asString();
            UUID uuid = WireId.SANDBOX.decode(id).orElseThrow();
            var running = wrenn.agent().sandboxes().running(uuid.toString());
            String envd = "http://" + running.slot().namespaceAddress() + ":49983";
            String token = running.record().envdAccessToken();
            for (int i = 0; i < 5; i++) {
                call("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"true\"}");
                envdStart(envd, token);
            }
            List<Double> api = new ArrayList<>();
            List<Double> direct = new ArrayList<>();
            for (int i = 0; i < execs; i++) {
                long t0 = System.nanoTime();
                call("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"true\"}");
                long t1 = System.nanoTime();
                envdStart(envd, token);
                long t2 = System.nanoTime();
                api.add(ms(t1 - t0));
                direct.add(ms(t2 - t1));
            }
            rows.add(Row.of("exec `true` through the REST API", api));
            rows.add(Row.of("exec `true` straight to envd (floor)", direct));
            List<String> inbound = List.of();
            if (httpRequests > 0) {
                call("POST", "/v1/sandboxes/" + id + "/exec", JSON.writeValueAsString(
                        java.util.Map.of("cmd", "sh", "args", List.of("-c", NetworkBench.SERVER))));
                inbound = new NetworkBench(httpRequests).run(base, key, id, running.slot().namespaceAddress());
            }
            List<String> apiLoad = List.of();
            if (apiLoadSeconds > 0) {
                apiLoad = ApiLoadBench.available()
                        ? ApiLoadBench.markdown(new ApiLoadBench(apiLoadSeconds, apiLoadConnections).run(base, key, id), apiLoadConnections)
                        : List.of("| (wrk is not installed: `apt-get install wrk` for these rows) | | | | | |");
            }
            call("DELETE", "/v1/sandboxes/" + id, null);
            List<String> concurrent = concurrentCreateRows();

            List<String> notes = new ArrayList<>(snapshotRows(wrenn, rows));
            if (rebuilds > 0) {
                notes.add(buildRows(rows));
            }

            System.out.printf("%nWrenn benchmark — accelerator %s, %d cores%n%n", wrenn.accelerator(),
                    Runtime.getRuntime().availableProcessors());
            System.out.println("| measure (ms) | min | median | max | runs |");
            System.out.println("| --- | ---: | ---: | ---: | ---: |");
            rows.forEach(row -> System.out.println(row.markdown()));
            double ratio = Row.of("", api).median / Row.of("", direct).median;
            System.out.printf("%nexec round trip, API / direct envd (median): %.2f×%n", ratio);
            System.out.printf("cold create, default disk (image as built) / disk grown in the guest (median): %.2f×%n",
                    Row.of("", create).median / Row.of("", grown).median);
            if (!warm.isEmpty()) {
                System.out.printf("warm create / cold create, default disk (median): %.2f×%n",
                        Row.of("", warm).median / Row.of("", create).median);
            }
            notes.forEach(System.out::println);
            if (!inbound.isEmpty()) {
                System.out.println();
                System.out.println("| inbound HTTP | via Wrenn | direct | via / direct |");
                System.out.println("| --- | ---: | ---: | ---: |");
                inbound.forEach(System.out::println);
            }
            if (!apiLoad.isEmpty()) {
                System.out.println();
                System.out.println("| API under load (wrk) | req/s | p50 (ms) | p99 (ms) | / `/health` | errors |");
                System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
                apiLoad.forEach(System.out::println);
            }
            if (!concurrent.isEmpty()) {
                System.out.println();
                System.out.println("| cold creates at once | all done (ms) | per create, median (ms) | slowest (ms) |");
                System.out.println("| ---: | ---: | ---: | ---: |");
                concurrent.forEach(System.out::println);
            }
        }
        return 0;
    }

    /** How long the benchmark waits for the agent to prime the template's warm snapshot. */
    private static final Duration WARM_PRIMING_WAIT = Duration.ofMinutes(5);

    /**
     * Creates of the template served by its warm snapshot (default disk): one create boots cold
     * and primes it unless the machine has it already, then {@code creates} are timed. Warm starts
     * are off again afterwards, for the rows that measure cold boots. Empty when priming did not
     * finish in time.
     */
    private List<Double> warmCreateRows(AllInOne wrenn, List<Row> rows) throws Exception {
        var agent = wrenn.agent().sandboxes();
        agent.warmStarts(true);
        try {
            String primer = call("POST", "/v1/sandboxes", "{\"template\":\"" + template + "\"}").get("id").asString();
            call("DELETE", "/v1/sandboxes/" + primer, null);
            long deadline = System.nanoTime() + WARM_PRIMING_WAIT.toNanos();
            while (!agent.warmPrimingIdle() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            if (!agent.warmPrimingIdle()) {
                System.err.println("warm create rows left out: the warm snapshot of " + template + " was not made within "
                        + WARM_PRIMING_WAIT.toMinutes() + " min (the agent's log says why)");
                return List.of();
            }
            List<Double> warm = new ArrayList<>();
            List<Double> warmToExec = new ArrayList<>();
            timeCreates(warm, warmToExec);
            rows.add(Row.of("warm create (`" + template + "` from its warm snapshot, API 201)", warm));
            rows.add(Row.of("warm create → first exec answered", warmToExec));
            return warm;
        } finally {
            agent.warmStarts(false);
        }
    }

    /**
     * Pause, resume and snapshot through the API; create-from-snapshot → first exec against a
     * bare QEMU restore of the same files (the floor); memory of idle sandboxes of one snapshot
     * on the lazy path against plain-stream restores.
     */
    private List<String> snapshotRows(AllInOne wrenn, List<Row> rows) throws Exception {
        String source = call("POST", "/v1/sandboxes", "{\"template\":\"" + template + "\"}").get("id").asString();
        // A restore of the snapshot's files answers with the token its source sandbox had.
        String sourceToken = wrenn.agent().sandboxes().running(WireId.SANDBOX.decode(source).orElseThrow().toString())
                .record().envdAccessToken();
        call("POST", "/v1/sandboxes/" + source + "/exec", "{\"cmd\":\"sh\",\"args\":[\"-c\",\"echo bench > /home/user/bench\"]}");
        List<Double> snapshot = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            call("POST", "/v1/snapshots", "{\"sandbox_id\":\"" + source + "\",\"name\":\"bench-" + i + "\"}");
            snapshot.add(ms(System.nanoTime() - t0));
        }
        List<Double> pause = new ArrayList<>();
        List<Double> resume = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            call("POST", "/v1/sandboxes/" + source + "/pause", null);
            long t1 = System.nanoTime();
            call("POST", "/v1/sandboxes/" + source + "/resume", null);
            long t2 = System.nanoTime();
            pause.add(ms(t1 - t0));
            resume.add(ms(t2 - t1));
        }
        call("DELETE", "/v1/sandboxes/" + source, null);
        for (int i = 1; i < 3; i++) {
            call("DELETE", "/v1/snapshots/bench-" + i, null);
        }
        rows.add(Row.of("snapshot of a running sandbox (API)", snapshot));
        rows.add(Row.of("pause (API)", pause));
        rows.add(Row.of("resume (API, to envd answering)", resume));

        List<Double> fromSnapshot = new ArrayList<>();
        List<Double> fromSnapshotCreated = new ArrayList<>();
        for (int i = 0; i < restores; i++) {
            long t0 = System.nanoTime();
            String id = call("POST", "/v1/sandboxes", "{\"template\":\"bench-0\"}").get("id").asString();
            fromSnapshotCreated.add(ms(System.nanoTime() - t0));
            call("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"true\"}");
            fromSnapshot.add(ms(System.nanoTime() - t0));
            call("DELETE", "/v1/sandboxes/" + id, null);
        }
        // The same with an egress policy of 20 rules: its cost is one nft set more per list on the path.
        List<Double> withPolicy = new ArrayList<>();
        String policy = "{\"allow_internet_access\":false,\"allow_out\":[" + addresses(0, 10) + "],\"deny_out\":["
                + addresses(10, 10) + "]}";
        for (int i = 0; i < restores; i++) {
            long t0 = System.nanoTime();
            String id = call("POST", "/v1/sandboxes", "{\"template\":\"bench-0\",\"network\":" + policy + "}")
                    .get("id").asString();
            call("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"true\"}");
            withPolicy.add(ms(System.nanoTime() - t0));
            call("DELETE", "/v1/sandboxes/" + id, null);
        }
        rows.add(Row.of("create from snapshot with a 20-rule egress policy → first exec answered (API)", withPolicy));
        // Domain rules add the domain gate's sockets, opened inside the new namespace.
        List<Double> withDomains = new ArrayList<>();
        String domains = "{\"allow_internet_access\":false,\"allow_out\":[" + addresses(0, 10) + ","
                + java.util.stream.IntStream.range(0, 10).mapToObj(i -> "\"*.bench" + i + ".example.com\"")
                        .collect(java.util.stream.Collectors.joining(",")) + "]}";
        for (int i = 0; i < restores; i++) {
            long t0 = System.nanoTime();
            String id = call("POST", "/v1/sandboxes", "{\"template\":\"bench-0\",\"network\":" + domains + "}")
                    .get("id").asString();
            call("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"true\"}");
            withDomains.add(ms(System.nanoTime() - t0));
            call("DELETE", "/v1/sandboxes/" + id, null);
        }
        rows.add(Row.of("create from snapshot with 10 address + 10 domain rules → first exec answered (API)", withDomains));
        Layout.SnapshotFiles files = snapshotFiles(wrenn.layout(), "bench-0");
        JsonNode template = call("GET", "/v1/snapshots/bench-0", null);
        int vcpus = template.get("vcpus").asInt();
        int memoryMb = template.get("memory_mb").asInt();
        long diskMb = template.get("disk_size_mb").asLong();
        List<Double> floor = new ArrayList<>();
        List<Double> floorHealth = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (SnapshotBench bare = new SnapshotBench(wrenn.layout())) {
            for (int i = 0; i < restores; i++) {
                long t0 = System.nanoTime();
                SnapshotBench.Bare vm = bare.restore(files.disk(), diskMb, files.memory(), files.state(), false, vcpus, memoryMb);
                floorHealth.add(ms(System.nanoTime() - t0));
                envdStart("http://" + vm.slot().namespaceAddress() + ":49983", sourceToken);
                floor.add(ms(System.nanoTime() - t0));
                bare.destroy(vm);
            }
            rows.add(Row.of("create from snapshot (API 201)", fromSnapshotCreated));
            rows.add(Row.of("create from snapshot → first exec answered (API)", fromSnapshot));
            rows.add(Row.of("bare QEMU restore of the same files → first exec straight to envd (floor)", floor));
            rows.add(Row.of("bare QEMU restore of the same files → envd /health (no exec)", floorHealth));
            notes.add("create-from-snapshot → first exec / bare restore (median): %.2f×".formatted(
                    Row.of("", fromSnapshot).median / Row.of("", floor).median));
            notes.add("create-from-snapshot → first exec, 20-rule policy / none (median): %.2f×".formatted(
                    Row.of("", withPolicy).median / Row.of("", fromSnapshot).median));

            SamplerCost none = SamplerCost.measure(wrenn, Duration.ofSeconds(30));
            rows.add(Row.of("sampler CPU per pass (ms), no sandbox", List.of(none.perPassMs())));
            notes.add(none.note(0));
            List<Double> lazy = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < idle; i++) {
                ids.add(call("POST", "/v1/sandboxes", "{\"template\":\"bench-0\"}").get("id").asString());
            }
            Thread.sleep(10_000); // let the guests go idle
            SamplerCost withIdle = SamplerCost.measure(wrenn, Duration.ofSeconds(60));
            rows.add(Row.of("sampler CPU per pass (ms), " + idle + " idle sandboxes", List.of(withIdle.perPassMs())));
            notes.add(withIdle.note(idle));
            for (String id : ids) {
                UUID uuid = WireId.SANDBOX.decode(id).orElseThrow();
                lazy.add(SnapshotBench.pssMb(wrenn.agent().sandboxes().running(uuid.toString()).pid()));
            }
            for (String id : ids) {
                call("DELETE", "/v1/sandboxes/" + id, null);
            }

            SnapshotBench.Bare seed = bare.restore(files.disk(), diskMb, files.memory(), files.state(), false, vcpus, memoryMb);
            Path stream = bare.saveFullStream(seed);
            bare.destroy(seed);
            List<SnapshotBench.Bare> plainVms = new ArrayList<>();
            // Each plain-stream VM makes all of its RAM resident: only as many as fit in 70 % of
            // the memory available now, whatever --idle asks (the median per VM is the measure).
            int plainCount = (int) Math.max(1, Math.min(idle, HostFacts.meminfoMb("MemAvailable") * 7 / 10 / memoryMb));
            for (int i = 0; i < plainCount; i++) {
                plainVms.add(bare.restore(files.disk(), diskMb, null, stream, true, vcpus, memoryMb));
            }
            Thread.sleep(10_000);
            List<Double> plain = plainVms.stream().map(vm -> SnapshotBench.pssMb(vm.pid())).toList();
            rows.add(Row.of("PSS (MiB) of each of " + idle + " idle sandboxes, lazy restore", lazy));
            rows.add(Row.of("PSS (MiB) of each of " + plainCount + " idle bare restores, plain stream", plain));
            notes.add("PSS lazy / plain stream (median): %.2f".formatted(Row.of("", lazy).median / Row.of("", plain).median));
        }
        call("DELETE", "/v1/snapshots/bench-0", null);
        return notes;
    }

    /** {@code count} quoted /32s of the documentation range 198.51.100.0/24, from {@code first} on. */
    private static String addresses(int first, int count) {
        return java.util.stream.IntStream.range(first, first + count).mapToObj(i -> "\"198.51.100." + (i + 1) + "\"")
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** The files of this home's snapshot {@code name}, whichever team owns it. */
    private static Layout.SnapshotFiles snapshotFiles(Layout layout, String name) throws java.io.IOException {
        try (var teams = Files.list(layout.snapshotsDir())) {
            for (Path team : teams.toList()) {
                if (Files.isDirectory(team.resolve(name))) {
                    return new Layout.SnapshotFiles(team.resolve(name));
                }
            }
        }
        throw new IllegalStateException("snapshot " + name + " is not on this host");
    }

    /**
     * For each count N: N cold creates started at once (each waits for its 201), then deleted:
     * the time until the last answered, and the median and slowest of the creates. Admission
     * queues boots per host, so N beyond its limit waits its turn rather than failing.
     */
    private List<String> concurrentCreateRows() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int n : concurrentCreates) {
            if (n <= 0) {
                continue;
            }
            List<java.util.concurrent.Future<Created>> creates = new ArrayList<>();
            long t0 = System.nanoTime();
            try (var each = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < n; i++) {
                    creates.add(each.submit(() -> {
                        long start = System.nanoTime();
                        String created = call("POST", "/v1/sandboxes", "{\"template\":\"" + template + "\"}").get("id").asString();
                        return new Created(created, ms(System.nanoTime() - start));
                    }));
                }
            }
            double all = ms(System.nanoTime() - t0);
            List<Double> each = new ArrayList<>();
            for (var create : creates) {
                each.add(create.get().ms());
                call("DELETE", "/v1/sandboxes/" + create.get().id(), null);
            }
            Row row = Row.of("", each);
            lines.add("| %d | %.0f | %.0f | %.0f |".formatted(n, all, row.median(), row.max()));
        }
        return lines;
    }

    /**
     * {@link #creates} creates of {@link #template}, each timed to its 201 ({@code toCreated}) and
     * to its first exec answered ({@code toExec}), then deleted.
     */
    private void timeCreates(List<Double> toCreated, List<Double> toExec) throws Exception {
        for (int i = 0; i < creates; i++) {
            long t0 = System.nanoTime();
            String id = call("POST", "/v1/sandboxes", "{\"template\":\"" + template + "\"}").get("id").asString();
            long t1 = System.nanoTime();
            call("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"true\"}");
            long t2 = System.nanoTime();
            toCreated.add(ms(t1 - t0));
            toExec.add(ms(t2 - t0));
            call("DELETE", "/v1/sandboxes/" + id, null);
        }
    }

    private void atLeastOne(String option, int value) {
        if (value < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    option + " must be at least 1 (it was " + value + ")");
        }
    }

    private record Created(String id, double ms) {
    }

    private record Row(String name, double min, double median, double max, int runs) {
        static Row of(String name, List<Double> samples) {
            List<Double> sorted = samples.stream().sorted().toList();
            return new Row(name, sorted.getFirst(), sorted.get(sorted.size() / 2), sorted.getLast(), sorted.size());
        }

        String markdown() {
            return "| %s | %.1f | %.1f | %.1f | %d |".formatted(name, min, median, max, runs);
        }
    }

    /**
     * A two-step recipe rebuilt with its cached layer and without (`no_cache`): both start FROM a
     * snapshot (a restore), so the difference is the steps the cache skips.
     */
    private String buildRows(List<Row> rows) throws Exception {
        String source = call("POST", "/v1/sandboxes", "{\"template\":\"" + template + "\"}").get("id").asString();
        call("POST", "/v1/snapshots", "{\"sandbox_id\":\"" + source + "\",\"name\":\"bench-build-base\"}");
        call("DELETE", "/v1/sandboxes/" + source, null);
        String recipe = "FROM bench-build-base\\n"
                + "RUN dd if=/dev/urandom of=/home/user/blob bs=1M count=32 2>/dev/null\\n"
                + "RUN sha256sum /home/user/blob > /home/user/blob.sha256";
        build("bench-build-seed", recipe, false); // makes the cached layer
        List<Double> cached = new ArrayList<>();
        List<Double> uncached = new ArrayList<>();
        for (int i = 0; i < rebuilds; i++) {
            cached.add(build("bench-build-c" + i, recipe, false));
            uncached.add(build("bench-build-n" + i, recipe, true));
        }
        rows.add(Row.of("rebuild of a two-step recipe, cached layer", cached));
        rows.add(Row.of("rebuild of a two-step recipe, `no_cache`", uncached));
        return String.format("two-step rebuild, no cache / cache (median): %.2f×",
                Row.of("", uncached).median / Row.of("", cached).median);
    }

    /** Queues a build and waits for it to succeed; returns ms from the request to its end. */
    private double build(String name, String recipe, boolean noCache) throws Exception {
        long t0 = System.nanoTime();
        String id = call("POST", "/v1/builds", "{\"name\":\"" + name + "\",\"skip_pre_post\":true,\"no_cache\":" + noCache
                + ",\"recipe\":\"" + recipe + "\"}").get("id").asString();
        while (true) {
            JsonNode build = call("GET", "/v1/builds/" + id, null);
            String status = build.get("status").asString();
            if (status.equals("succeeded")) {
                return ms(System.nanoTime() - t0);
            }
            if (!status.equals("queued") && !status.equals("running")) {
                throw new IllegalStateException("build " + name + " ended " + status + ": " + build.get("reason"));
            }
            Thread.sleep(100);
        }
    }

    private JsonNode call(String method, String path, String body) throws Exception {
        return api.call(method, path, body);
    }

    /** One process.Process/Start of `true` over envd's own wire protocol, read to the end of its stream. */
    private void envdStart(String envd, String accessToken) throws Exception {
        byte[] json = "{\"process\":{\"cmd\":\"true\"}}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer envelope = ByteBuffer.allocate(5 + json.length).put((byte) 0).putInt(json.length).put(json);
        var response = http.send(HttpRequest.newBuilder(URI.create(envd + "/process.Process/Start"))
                .header("Content-Type", "application/connect+json")
                .header("X-Access-Token", accessToken)
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("user:".getBytes()))
                .POST(BodyPublishers.ofByteArray(envelope.array())).build(), BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("envd answered " + response.statusCode());
        }
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

}
