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
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds templates: images under {@code images/teams/{team}/{name}/} ({@code template.json},
 * {@code rootfs.ext4} at the image's size and, optionally, {@code rootfs.compact.ext4} for smaller
 * disks), and what was made through the API under {@code $WRENN_HOME/templates/{team}/{name}/}:
 * snapshots ({@code snapshot.json}, {@code memory}, {@code state}, {@code disk.qcow2}) and images
 * from a sandbox's disk (the image files again). A name is one template, never two: nothing made
 * may take a base image's name.
 */
public final class TemplateCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(TemplateCatalog.class);

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
        return readImage(teamId, name).or(() -> readSnapshot(teamId, name)).or(() -> readMadeImage(teamId, name));
    }

    /** Whether an image or a snapshot already has this name (complete or not). */
    public boolean nameTaken(String teamId, String name) {
        return Files.exists(layout.templateDir(teamId, name)) || Files.exists(layout.snapshotDir(teamId, name));
    }

    /** Every template found on this host. */
    public List<Template> all() {
        List<Template> templates = new ArrayList<>();
        collect(layout.teamsDir(), templates, this::readImage);
        collect(layout.snapshotsDir(), templates, (team, name) -> readSnapshot(team, name).or(() -> readMadeImage(team, name)));
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
        return readImage(teamId, name, layout.imageFiles(teamId, name), false);
    }

    /** An image made through the API lives where snapshots do; a name there is one or the other. */
    private Optional<Template> readMadeImage(String teamId, String name) {
        return readImage(teamId, name, layout.madeImageFiles(teamId, name), true);
    }

    private Optional<Template> readImage(String teamId, String name, Layout.ImageFiles files, boolean made) {
        if (!Files.isRegularFile(files.json()) || !Files.isRegularFile(files.rootfs())) {
            return Optional.empty();
        }
        try {
            ImageDescription description = ImageDescription.read(files.json());
            long apparentMb = Files.size(files.rootfs()) >> 20;
            long imageSizeMb = Math.max(description.imageSizeMb(), apparentMb);
            boolean hasCompact = description.compactSizeMb() > 0 && Files.isRegularFile(files.compactRootfs());
            long compactMb = hasCompact ? Math.max(description.compactSizeMb(), Files.size(files.compactRootfs()) >> 20) : imageSizeMb;
            return Optional.of(new Template(teamId, name, files.rootfs(), description.defaultUser(),
                    description.defaultWorkdir(), imageSizeMb,
                    allocatedBytes(files.rootfs()) + (hasCompact ? allocatedBytes(files.compactRootfs()) : 0), null,
                    hasCompact ? files.compactRootfs() : null, Math.min(compactMb, imageSizeMb),
                    description.defaultEnv(), made, description.createdAtMs()));
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
                            files.json(), null, description.createdAtMs()), null, description.diskSizeMb(), description.envOrEmpty(), true,
                    description.createdAtMs()));
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
