package io.wrenn.sdk.testing;

import io.wrenn.sdk.BuildInfo;
import io.wrenn.sdk.BuildLogLine;
import io.wrenn.sdk.BuildSpec;
import io.wrenn.sdk.Builds;
import io.wrenn.sdk.WrennException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds of a {@link WrennFake}: a recipe's steps are not run, only checked (it starts with
 * {@code FROM} of a known template) and logged, and a build succeeds at once with a snapshot
 * template of its name made from a fresh sandbox of the {@code FROM} template.
 */
final class FakeBuilds implements Builds {
    private final WrennFake fake;
    private final Map<String, BuildInfo> builds = new LinkedHashMap<>();
    private final Map<String, List<BuildLogLine>> logs = new LinkedHashMap<>();

    FakeBuilds(WrennFake fake) {
        this.fake = fake;
    }

    /** The fake only checks the file is there and makes the template as a build from {@code debian} would. */
    @Override
    public BuildInfo importRootFilesystem(String name, Path tarball, Integer diskSizeMb) {
        if (!Files.isRegularFile(tarball)) {
            throw new UncheckedIOException("no local file " + tarball, new java.io.FileNotFoundException(tarball.toString()));
        }
        return start(BuildSpec.builder(name, "FROM debian").build());
    }

    @Override
    public String uploadArchive(Path archive) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(archive)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public BuildInfo start(BuildSpec spec) {
        List<String> steps = new ArrayList<>();
        for (String line : spec.recipe().split("\n")) {
            if (!line.isBlank() && !line.strip().startsWith("#")) {
                steps.add(line.strip());
            }
        }
        if (steps.isEmpty() || !steps.get(0).toUpperCase(java.util.Locale.ROOT).startsWith("FROM ")) {
            throw new WrennException.InvalidRequestException("invalid_request", 400, "line 1: the recipe must start with FROM");
        }
        String from = steps.get(0).substring(5).strip();
        synchronized (fake) {
            String id = fake.newId("bld-");
            List<BuildLogLine> log = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                log.add(new BuildLogLine(log.size() + 1, i + 1, "system", "step " + (i + 1) + ": " + steps.get(i), Instant.now()));
            }
            String templateId;
            try (var builder = fake.sandboxes().create(io.wrenn.sdk.SandboxSpec.of(from))) {
                templateId = builder.snapshot(spec.name()).id();
            }
            BuildInfo info = new BuildInfo(id, spec.name(), "succeeded", null, steps.size() + 1, steps.size() + 1, null, 0,
                    templateId, Instant.now(), Instant.now());
            builds.put(id, info);
            logs.put(id, log);
            return info;
        }
    }

    @Override
    public BuildInfo follow(String id, Consumer<BuildLogLine> onLog) {
        List<BuildLogLine> log;
        synchronized (fake) {
            get(id);
            log = List.copyOf(logs.get(id));
        }
        log.forEach(onLog);
        return get(id);
    }

    @Override
    public BuildInfo build(BuildSpec spec, Consumer<BuildLogLine> onLog) {
        return follow(start(spec).id(), onLog);
    }

    @Override
    public BuildInfo get(String id) {
        synchronized (fake) {
            BuildInfo info = builds.get(id);
            if (info == null) {
                throw new WrennException.NotFoundException("not_found", 404, "no such build");
            }
            return info;
        }
    }

    @Override
    public BuildInfo cancel(String id) {
        BuildInfo info = get(id);
        throw new WrennException.ConflictException("invalid_state", 409, "the build " + info.id() + " has finished");
    }

    @Override
    public List<BuildInfo> list() {
        synchronized (fake) {
            List<BuildInfo> newestFirst = new ArrayList<>(builds.values());
            java.util.Collections.reverse(newestFirst);
            return newestFirst;
        }
    }
}
