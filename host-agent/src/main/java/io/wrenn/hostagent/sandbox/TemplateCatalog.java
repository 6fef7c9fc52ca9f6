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

/** Finds templates under {@code images/teams/{team}/{name}/} ({@code template.json} + {@code rootfs.ext4}). */
public final class TemplateCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(TemplateCatalog.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Layout layout;
    private final CommandRunner commands;

    public TemplateCatalog(Layout layout, CommandRunner commands) {
        this.layout = layout;
        this.commands = commands;
    }

    /** The template, if its image and description are present. */
    public Optional<Template> find(String teamId, String name) {
        if (!Layout.isUuid(teamId) || !Layout.isTemplateName(name)) {
            return Optional.empty();
        }
        return read(teamId, name);
    }

    /** Every template found on this host. */
    public List<Template> all() {
        List<Template> templates = new ArrayList<>();
        try (var teams = Files.list(layout.teamsDir())) {
            for (Path team : teams.sorted().toList()) {
                String teamId = team.getFileName().toString();
                if (!Layout.isUuid(teamId)) {
                    continue;
                }
                try (var names = Files.list(team)) {
                    for (Path dir : names.sorted().toList()) {
                        String name = dir.getFileName().toString();
                        if (Layout.isTemplateName(name)) {
                            read(teamId, name).ifPresent(templates::add);
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("no templates under {}: {}", layout.teamsDir(), e.toString());
        }
        return templates;
    }

    private Optional<Template> read(String teamId, String name) {
        Path json = layout.templateJson(teamId, name);
        Path rootfs = layout.templateRootfs(teamId, name);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(rootfs)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(json.toFile());
            long apparentMb = Files.size(rootfs) >> 20;
            long imageSizeMb = node.path("image_size_mb").asLong(apparentMb);
            return Optional.of(new Template(teamId, name, rootfs,
                    node.path("default_user").asString(""),
                    node.path("default_workdir").asString(""),
                    Math.max(imageSizeMb, apparentMb),
                    allocatedBytes(rootfs)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("template {}/{} is unreadable: {}", teamId, name, e.toString());
            return Optional.empty();
        }
    }

    private long allocatedBytes(Path file) throws IOException {
        // The JDK does not expose st_blocks; du does. Images are sparse, so the apparent size lies.
        CommandResult du = commands.runUnchecked(Command.of("du", "-s", "-B1", file.toString()));
        if (du.exitCode() == 0) {
            String first = du.output().strip().split("\\s+")[0];
            if (first.matches("\\d+")) {
                return Long.parseLong(first);
            }
        }
        return Files.size(file);
    }
}
