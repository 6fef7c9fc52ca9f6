package io.wrenn.cli.commands;

import io.wrenn.sdk.NetworkPolicy;
import io.wrenn.sdk.OnTimeout;
import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxInfo;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.SandboxStatus;
import io.wrenn.sdk.Template;
import io.wrenn.sdk.Wrenn;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wrenn sandbox …}: the team's sandboxes. */
@Command(name = "sandbox", aliases = "sb", mixinStandardHelpOptions = true,
        description = "Create, use and remove sandboxes.",
        subcommands = {SandboxCommand.Create.class, SandboxCommand.ListSandboxes.class, SandboxCommand.Info.class,
                ExecCommand.class, ShellCommand.class, CopyCommand.class, SandboxCommand.Pause.class,
                SandboxCommand.Resume.class, SandboxCommand.Snapshot.class, SandboxCommand.Image.class,
                SandboxCommand.Fork.class, NetworkCommand.class, MetricsCommand.class, StatsCommand.class,
                LogsCommand.class, SandboxCommand.Remove.class})
public final class SandboxCommand {

    static List<String[]> describe(SandboxInfo info) {
        return List.of(new String[] {"id", info.id()}, new String[] {"status", info.status().wire()},
                new String[] {"status reason", info.statusReason()}, new String[] {"template", info.template()},
                new String[] {"vcpus", String.valueOf(info.vcpus())},
                new String[] {"memory", info.memoryMb() + " MiB"}, new String[] {"disk", info.diskSizeMb() + " MiB"},
                new String[] {"timeout", info.timeout() == null ? null : info.timeout().toSeconds() + " s"},
                new String[] {"on timeout", info.onTimeout().wire()},
                new String[] {"env", String.join(",", info.envKeys())},
                new String[] {"metadata", info.metadata().toString()},
                new String[] {"created", String.valueOf(info.createdAt())},
                new String[] {"expires", info.expiresAt() == null ? null : info.expiresAt().toString()});
    }

    /** Prints a new sandbox: its id alone (for {@code ID=$(…)}), or its description. */
    private static void show(Output output, Sandbox sandbox, boolean quiet) {
        if (quiet) {
            output.out().println(sandbox.id());
            output.out().flush();
        } else {
            SandboxInfo info = sandbox.info();
            output.value(info, describe(info));
        }
    }

    /** A verb that does one thing to one sandbox and shows the sandbox after it. */
    abstract static class OnSandbox implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Mixin Output output;
        @Parameters(paramLabel = "SANDBOX") String id;

        abstract SandboxInfo apply(Sandbox sandbox);

        @Override
        public Integer call() {
            try (Wrenn wrenn = client.client()) {
                SandboxInfo info = apply(wrenn.sandboxes().connect(id));
                output.value(info, describe(info));
            }
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a sandbox and print its id.",
            footer = {"", "Examples:", "  wrenn sandbox create debian",
                    "  wrenn sandbox create minimal --memory 1024 --timeout 600 -e MODE=test --label job=42",
                    "  wrenn sandbox create debian --no-internet --allow-out 203.0.113.10",
                    "  wrenn sandbox create debian --deny-out 198.51.100.0/24 --no-public-traffic",
                    "  ID=$(wrenn sandbox create debian --quiet)"})
    static final class Create implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Mixin Output output;

        @Parameters(index = "0", paramLabel = "TEMPLATE", defaultValue = "minimal",
                description = "template name (default: ${DEFAULT-VALUE})")
        String template;

        @Mixin SizeOptions sizes;
        @Mixin NetworkOptions network;
        @Option(names = "--timeout", paramLabel = "SECONDS", description = "seconds until the timeout applies")
        Long timeoutSeconds;
        @Option(names = "--on-timeout", paramLabel = "destroy|pause") String onTimeout;
        @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "default environment of its processes")
        Map<String, String> env = Map.of();
        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "metadata")
        Map<String, String> labels = Map.of();
        @Option(names = {"-q", "--quiet"}, description = "print only the id")
        boolean quiet;

        @Override
        public Integer call() {
            SandboxSpec.Builder spec = SandboxSpec.builder(template).env(env).metadata(labels);
            sizes.applyTo(spec::vcpus, spec::memoryMb, spec::diskSizeMb);
            if (network.given()) {
                spec.network(network.applyTo(NetworkPolicy.builder().build()));
            }
            if (timeoutSeconds != null) {
                spec.timeout(Duration.ofSeconds(timeoutSeconds));
            }
            if (onTimeout != null) {
                spec.onTimeout(OnTimeout.valueOf(onTimeout.toUpperCase(Locale.ROOT)));
            }
            try (Wrenn wrenn = client.client()) {
                show(output, wrenn.sandboxes().create(spec.build()), quiet);
            }
            return 0;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
            description = "List the team's sandboxes (not stopped ones unless --all).",
            footer = {"", "Examples:", "  wrenn sandbox list", "  wrenn sandbox list --status paused --json"})
    static final class ListSandboxes implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Mixin Output output;
        @Option(names = "--all", description = "stopped ones too") boolean all;
        @Option(names = "--status", split = ",", paramLabel = "STATUS") List<String> statuses;

        @Override
        public Integer call() {
            Set<SandboxStatus> wanted = EnumSet.noneOf(SandboxStatus.class);
            if (statuses != null) {
                statuses.forEach(s -> wanted.add(SandboxStatus.valueOf(s.toUpperCase(Locale.ROOT))));
            } else if (!all) {
                wanted.addAll(EnumSet.complementOf(EnumSet.of(SandboxStatus.STOPPED)));
            }
            try (Wrenn wrenn = client.client()) {
                output.table(wrenn.sandboxes().list(wanted), List.of("ID", "STATUS", "TEMPLATE", "CREATED", "EXPIRES"),
                        s -> List.of(s.id(), s.status().wire(), s.template(), String.valueOf(s.createdAt()),
                                s.expiresAt() == null ? "-" : s.expiresAt().toString()));
            }
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show one sandbox.",
            footer = {"", "Example:", "  wrenn sandbox info sb-… --json"})
    static final class Info extends OnSandbox {
        @Override
        SandboxInfo apply(Sandbox sandbox) {
            return sandbox.info();
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pause a sandbox: memory and disk are kept, it uses no RAM or CPU.",
            footer = {"", "Example:", "  wrenn sandbox pause sb-…"})
    static final class Pause extends OnSandbox {
        @Override
        SandboxInfo apply(Sandbox sandbox) {
            return sandbox.pause();
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused sandbox as it was.",
            footer = {"", "Example:", "  wrenn sandbox resume sb-…"})
    static final class Resume extends OnSandbox {
        @Override
        SandboxInfo apply(Sandbox sandbox) {
            return sandbox.resume();
        }
    }

    /** A verb that saves a sandbox as a template: the sandbox, the name, and how it is saved. */
    abstract static class SaveTemplate implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Mixin Output output;
        @Parameters(index = "0", paramLabel = "SANDBOX") String id;
        @Parameters(index = "1", paramLabel = "NAME") String name;

        abstract Template save(Sandbox sandbox, String name);

        @Override
        public Integer call() {
            try (Wrenn wrenn = client.client()) {
                Template template = save(wrenn.sandboxes().connect(id), name);
                output.value(template, TemplateCommand.describe(template));
            }
            return 0;
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = "Save a sandbox as a snapshot template; sandboxes created from it start restored.",
            footer = {"", "Example:", "  wrenn sandbox snapshot sb-… py-ready && wrenn sandbox create py-ready"})
    static final class Snapshot extends SaveTemplate {
        @Override
        Template save(Sandbox sandbox, String name) {
            return sandbox.snapshot(name);
        }
    }

    @Command(name = "image", mixinStandardHelpOptions = true,
            description = "Save a running sandbox's disk alone as an image template; its sandboxes boot cold at any size.",
            footer = {"", "Example:", "  wrenn sandbox image sb-… tools-installed && wrenn sandbox create tools-installed --memory 2048"})
    static final class Image extends SaveTemplate {
        @Override
        Template save(Sandbox sandbox, String name) {
            return sandbox.saveImage(name);
        }
    }

    @Command(name = "fork", mixinStandardHelpOptions = true,
            description = {"Start running copies of a running sandbox (memory, processes, files);",
                    "it keeps running. All or nothing: if one copy fails, the others are removed."},
            footer = {"", "Example:", "  wrenn sandbox fork sb-… --count 3 --quiet"})
    static final class Fork implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Mixin Output output;
        @Parameters(index = "0", paramLabel = "SANDBOX") String id;
        @Option(names = "--count", defaultValue = "1", description = "how many copies, 1 to 10 (default ${DEFAULT-VALUE})")
        int count;
        @Option(names = {"-q", "--quiet"}, description = "print only the forks' ids, one a line") boolean quiet;

        @Override
        public Integer call() {
            try (Wrenn wrenn = client.client()) {
                for (Sandbox fork : wrenn.sandboxes().connect(id).fork(count)) {
                    show(output, fork, quiet);
                }
            }
            return 0;
        }
    }

    @Command(name = "rm", aliases = "kill", mixinStandardHelpOptions = true,
            description = "Stop and remove sandboxes (removing a stopped one is fine).",
            footer = {"", "Example:", "  wrenn sandbox rm sb-… sb-…"})
    static final class Remove extends EachName {
        @Override
        void apply(Wrenn wrenn, String id) {
            wrenn.sandboxes().connect(id).kill();
        }
    }
}
