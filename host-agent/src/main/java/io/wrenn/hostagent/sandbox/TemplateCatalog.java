package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.os.Command;
import io.wrenn.hostagent.os.CommandResult;
import io.wrenn.hostagent.os.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds templates: images under {@code images/teams/{team}/{name}/} ({@code template.json},
 * {@code rootfs.ext4} at the image's size and, optionally, {@code rootfs.compact.ext4} for smaller
 * disks) and snapshots under {@code $WRENN_HOME/templates/{team}/{name}/}
 * ({@code snapshot.json}, {@code memory}, {@code state}, {@code disk.qcow2}). A name is an image or
 * a snapshot, never both: a snapshot may not take an image's name.
 */
public final class TemplateCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(TemplateCatalog.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Layout layout;
    private final CommandRunner commands;
    /**
     * Sizes on disk by path and modification time: templates do not change once in place, and
     * every create and every schedule reads the catalog, so {@code du} runs once per template.
     */
    private final java.util.Map<Path, long[]> sizes = new java.util.concurrent.ConcurrentHashMap<>();

    public TemplateCatalog(Layout layout, CommandRunner commands) {
        this.layout = layout;
        this.commands = commands;
    }

    /** The template, if its files and description are present. */
    public Optional<Template> find(String teamId, String name) {
        if (!Layout.isUuid(teamId) || !Layout.isTemplateName(name)) {
            return Optional.empty();
        }
        return readImage(teamId, name).or(() -> readSnapshot(teamId, name));
    }

    /** Whether an image or a snapshot already has this name (complete or not). */
    public boolean nameTaken(String teamId, String name) {
        return Files.exists(layout.templateDir(teamId, name)) || Files.exists(layout.snapshotDir(teamId, name));
    }

    /** Every template found on this host. */
    public List<Template> all() {
        List<Template> templates = new ArrayList<>();
        collect(layout.teamsDir(), templates, this::readImage);
        collect(layout.snapshotsDir(), templates, this::readSnapshot);
        return templates;
    }

    private interface Reader {
        Optional<Template> read(String teamId, String name);
    }

    private static void collect(Path root, List<Template> into, Reader reader) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (var teams = Files.list(root)) {
            for (Path team : teams.sorted().toList()) {
                String teamId = team.getFileName().toString();
                if (!Layout.isUuid(teamId)) {
                    continue;
                }
                try (var names = Files.list(team)) {
                    for (Path dir : names.sorted().toList()) {
                        String name = dir.getFileName().toString();
                        if (Layout.isTemplateName(name)) {
                            reader.read(teamId, name).ifPresent(into::add);
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("no templates under {}: {}", root, e.toString());
        }
    }

    private Optional<Template> readImage(String teamId, String name) {
        Path json = layout.templateJson(teamId, name);
        Path rootfs = layout.templateRootfs(teamId, name);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(rootfs)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(json.toFile());
            long apparentMb = Files.size(rootfs) >> 20;
            long imageSizeMb = Math.max(node.path("image_size_mb").asLong(apparentMb), apparentMb);
            Path compact = layout.templateCompactRootfs(teamId, name);
            boolean hasCompact = Files.isRegularFile(compact) && node.has("compact_size_mb");
            long compactMb = hasCompact ? Math.max(node.path("compact_size_mb").asLong(), Files.size(compact) >> 20) : imageSizeMb;
            return Optional.of(new Template(teamId, name, rootfs,
                    node.path("default_user").asString(""),
                    node.path("default_workdir").asString(""),
                    imageSizeMb,
                    allocatedBytes(rootfs) + (hasCompact ? allocatedBytes(compact) : 0), null,
                    hasCompact ? compact : null, Math.min(compactMb, imageSizeMb)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("template {}/{} is unreadable: {}", teamId, name, e.toString());
            return Optional.empty();
        }
    }

    private Optional<Template> readSnapshot(String teamId, String name) {
        Layout.SnapshotFiles files = layout.snapshotFiles(teamId, name);
        if (!Files.isRegularFile(files.json()) || !Files.isRegularFile(files.memory())
                || !Files.isRegularFile(files.state()) || !Files.isRegularFile(files.disk())) {
            return Optional.empty();
        }
        try {
            SnapshotDescription description = SnapshotDescription.read(files.json());
            return Optional.of(new Template(teamId, name, files.disk(), description.defaultUser(),
                    description.defaultWorkdir(), description.diskSizeMb(), allocatedBytes(files.dir()),
                    new Template.Snapshot(description.vcpus(), description.memoryMb(), files.memory(), files.state(),
                            description.createdAtMs()), null, description.diskSizeMb()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("snapshot {}/{} is unreadable: {}", teamId, name, e.toString());
            return Optional.empty();
        }
    }

    /** Bytes really used on disk by a file or a directory (the JDK does not expose st_blocks; du does). */
    long allocatedBytes(Path path) throws IOException {
        long modified = Files.getLastModifiedTime(path).toMillis();
        long[] cached = sizes.get(path);
        if (cached != null && cached[0] == modified) {
            return cached[1];
        }
        long bytes = measure(path);
        sizes.put(path, new long[] {modified, bytes});
        return bytes;
    }

    private long measure(Path path) throws IOException {
        CommandResult du = commands.runUnchecked(Command.of("du", "-s", "-B1", path.toString()));
        if (du.exitCode() == 0) {
            String first = du.output().strip().split("\\s+")[0];
            if (first.matches("\\d+")) {
                return Long.parseLong(first);
            }
        }
        return Files.size(path);
    }
}
