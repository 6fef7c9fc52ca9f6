package io.wrenn.cli.commands;

import io.wrenn.sdk.BuildInfo;
import io.wrenn.sdk.BuildSpec;
import io.wrenn.sdk.Wrenn;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wrenn template build}: builds a snapshot template from a recipe file with its log
 * printed live (each line prefixed with its step; the steps' stderr to stderr), and exits 0
 * when the template was made, 1 when the build failed or was cancelled.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Build a snapshot template from a recipe (FROM, RUN, ENV, COPY, USER, WORKDIR, START, READY).",
                "The log is printed as the steps run; exits 0 when the template is made."},
        footer = {"", "Examples:", "  wrenn template build py-ready -f Recipe",
                "  wrenn template build my-app -f Recipe --archive app.tar.gz --no-cache",
                "  printf 'FROM debian\\nRUN echo hi\\n' | wrenn template build hello -f -"})
final class BuildCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec command;
    @Mixin ClientOptions client;
    @Mixin Output output;

    @Parameters(paramLabel = "NAME", description = "the template to make") String name;
    @Option(names = {"-f", "--file"}, required = true, paramLabel = "RECIPE", description = "the recipe file (- for stdin)")
    String recipe;
    @Option(names = "--archive", paramLabel = "FILE", description = "tar, tar.gz or zip of the files COPY reads") Path archive;
    @Option(names = "--no-cache", description = "run every step, ignoring cached layers") boolean noCache;
    @Option(names = "--skip-pre-post", description = "leave out the fixed first and last phases") boolean skipPrePost;
    @Mixin SizeOptions sizes;

    @Override
    public Integer call() throws IOException {
        String text = recipe.equals("-")
                ? new String(ClientCommands.environment(command.commandLine()).stdin().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                : Files.readString(Path.of(recipe));
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        try (Wrenn wrenn = client.client()) {
            BuildSpec.Builder spec = BuildSpec.builder(name, text).noCache(noCache).skipPrePost(skipPrePost);
            if (archive != null) {
                spec.archive(wrenn.builds().uploadArchive(archive));
            }
            sizes.applyTo(spec::vcpus, spec::memoryMb, spec::diskSizeMb);
            BuildInfo done = wrenn.builds().build(spec.build(), output.buildLog());
            if (output.json) {
                output.value(done, List.of());
            } else if (done.succeeded()) {
                out.println("built " + done.name() + " (" + done.id() + ", " + done.cachedSteps() + " of "
                        + done.totalSteps() + " steps from the cache)");
                out.flush();
            } else {
                err.println("wrenn: build " + done.id() + " " + done.status()
                        + (done.reason() == null ? "" : ": " + done.reason()));
                err.flush();
            }
            return done.succeeded() ? 0 : ClientCommands.EXIT_WRENN_ERROR;
        }
    }
}
