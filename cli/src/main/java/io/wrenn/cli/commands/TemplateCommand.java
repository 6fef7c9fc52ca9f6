package io.wrenn.cli.commands;

import io.wrenn.sdk.Template;
import io.wrenn.sdk.Wrenn;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code wrenn template …}: the team's templates made from sandboxes (snapshots and images). */
@Command(name = "template", mixinStandardHelpOptions = true, description = "Build, list and remove templates.",
        subcommands = {BuildCommand.class, ImportCommand.class, TemplateCommand.ListTemplates.class, TemplateCommand.Remove.class})
public final class TemplateCommand {

    static List<String[]> describe(Template template) {
        return List.of(new String[] {"id", template.id()}, new String[] {"name", template.name()},
                new String[] {"type", template.type()}, new String[] {"platform", String.valueOf(template.platform())},
                new String[] {"vcpus", String.valueOf(template.vcpus())},
                new String[] {"memory", template.memoryMb() + " MiB"},
                new String[] {"disk", template.diskSizeMb() == null ? null : template.diskSizeMb() + " MiB"},
                new String[] {"size", template.sizeBytes() == null ? null : template.sizeBytes() + " bytes"},
                new String[] {"created", String.valueOf(template.createdAt())});
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
            description = "List the team's and the platform's templates made from sandboxes.",
            footer = {"", "Example:", "  wrenn template list --json"})
    static final class ListTemplates implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Mixin Output output;

        @Override
        public Integer call() {
            try (Wrenn wrenn = client.client()) {
                output.table(wrenn.templates().list(), List.of("NAME", "TYPE", "PLATFORM", "VCPUS", "MEMORY_MB", "CREATED"),
                        t -> List.of(t.name(), t.type(), String.valueOf(t.platform()), String.valueOf(t.vcpus()),
                                String.valueOf(t.memoryMb()), String.valueOf(t.createdAt())));
            }
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Delete templates (refused while a sandbox made from one is not stopped).",
            footer = {"", "Example:", "  wrenn template rm py-ready"})
    static final class Remove extends EachName {
        @Override
        void apply(Wrenn wrenn, String name) {
            wrenn.templates().delete(name);
        }
    }
}
