package io.wrenn.cli.commands;

import io.wrenn.sdk.BuildInfo;
import io.wrenn.sdk.Wrenn;
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
 * {@code wrenn template import}: uploads a root filesystem tarball and follows the import's log
 * like {@code template build}; exits 0 when the image template was made.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Make an image template of a root filesystem tarball (docker export's tar, or tar.gz).",
                "It needs glibc and /bin/sh; Wrenn adds its guest agent. The log is printed as it runs."},
        footer = {"", "Examples:", "  docker export $(docker create python:3.12-slim) > py.tar && wrenn template import py312 py.tar",
                "  wrenn template import my-os rootfs.tar.gz --disk 8192"})
final class ImportCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec command;
    @Mixin ClientOptions client;
    @Mixin Output output;

    @Parameters(index = "0", paramLabel = "NAME", description = "the template to make") String name;
    @Parameters(index = "1", paramLabel = "FILE", description = "the tarball (tar or tar.gz)") Path file;
    @Option(names = "--disk", paramLabel = "MIB", description = "the template's disk in MiB (default 5120)") Integer diskSizeMb;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (!Files.isRegularFile(file)) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(), "no such file: " + file);
        }
        try (Wrenn wrenn = client.client()) {
            BuildInfo queued = wrenn.builds().importRootFilesystem(name, file, diskSizeMb);
            BuildInfo done = wrenn.builds().follow(queued.id(), output.buildLog());
            if (output.json) {
                output.value(done, List.of());
            } else if (done.succeeded()) {
                out.println("imported " + done.name() + " (" + done.id() + ")");
                out.flush();
            } else {
                err.println("wrenn: import " + done.id() + " " + done.status() + (done.reason() == null ? "" : ": " + done.reason()));
                err.flush();
            }
            return done.succeeded() ? 0 : ClientCommands.EXIT_WRENN_ERROR;
        }
    }
}
