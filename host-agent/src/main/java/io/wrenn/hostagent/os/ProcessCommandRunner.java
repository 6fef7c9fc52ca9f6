package io.wrenn.hostagent.os;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only {@link ProcessBuilder} in the host agent: logs every argv, merges stderr into stdout,
 * enforces a timeout and reports the exit code.
 */
public final class ProcessCommandRunner implements CommandRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessCommandRunner.class);
    private static final int MAX_CAPTURED_BYTES = 1 << 20;

    @Override
    public CommandResult runUnchecked(Command command) {
        LOG.debug("run: {}", String.join(" ", command.argv()));
        ProcessBuilder builder = new ProcessBuilder(command.argv()).redirectErrorStream(true);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (command.outputFile() != null) {
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(command.outputFile().toFile()));
        }
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CommandFailedException(command.argv(), "could not start", e);
        }
        // Read output on another thread so a chatty program cannot block on a full pipe while we wait.
        CompletableFuture<String> output = command.outputFile() != null
                ? CompletableFuture.completedFuture("")
                : CompletableFuture.supplyAsync(() -> drain(process.getInputStream()), Thread::startVirtualThread);
        try {
            if (!process.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new CommandFailedException(command.argv(), "timed out after " + command.timeout(), null);
            }
            String text = output.join();
            int exit = process.exitValue();
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (exit == 0) {
                LOG.debug("exit 0 in {} ms: {}", ms, command.argv().getFirst());
            } else {
                LOG.debug("exit {} in {} ms: {}: {}", exit, ms, String.join(" ", command.argv()), text.strip());
            }
            return new CommandResult(exit, text);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException(command.argv(), "interrupted", e);
        }
    }

    @Override
    public ProcessHandle spawn(Command command) {
        if (command.outputFile() == null) {
            throw new IllegalArgumentException("a spawned program needs an output file");
        }
        LOG.debug("spawn: {}", String.join(" ", command.argv()));
        ProcessBuilder builder = new ProcessBuilder(command.argv()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(command.outputFile().toFile()));
        try {
            return builder.start().toHandle();
        } catch (IOException e) {
            throw new CommandFailedException(command.argv(), "could not start", e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_CAPTURED_BYTES);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
