package io.wrenn.cli.commands;

import io.wrenn.sdk.Filesystem;
import io.wrenn.sdk.Wrenn;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wrenn sandbox cp}: one file into or out of a sandbox, streamed both ways (memory
 * stays bounded whatever the size), with a progress bar on a terminal. {@code -} is standard
 * input or output.
 */
@Command(name = "cp", mixinStandardHelpOptions = true,
        description = {"Copy a file into or out of a sandbox, streamed.", "A sandbox path is SANDBOX:/absolute/path; - is stdin/stdout."},
        footer = {"", "Examples:", "  wrenn sandbox cp data.bin sb-…:/home/user/data.bin",
                "  wrenn sandbox cp sb-…:/home/user/result.json ./result.json",
                "  wrenn sandbox cp sb-…:/var/log/app.log - | grep ERROR"})
final class CopyCommand implements Callable<Integer> {
    private static final Pattern REMOTE = Pattern.compile("(sb-[0-9a-z]+):(/.*)");

    @Spec picocli.CommandLine.Model.CommandSpec command;
    @Mixin ClientOptions client;
    @Parameters(index = "0", paramLabel = "SOURCE") String source;
    @Parameters(index = "1", paramLabel = "DESTINATION") String destination;
    @Option(names = {"-u", "--user"}, description = "guest user who reads or owns the file") String user;
    @Option(names = {"-q", "--quiet"}, description = "no progress bar") boolean quiet;

    /** A side of a copy: a sandbox's file, or a local one. */
    record Location(String sandbox, String path) {
        boolean remote() {
            return sandbox != null;
        }

        static Location parse(String text) {
            Matcher remote = REMOTE.matcher(text);
            return remote.matches() ? new Location(remote.group(1), remote.group(2)) : new Location(null, text);
        }
    }

    @Override
    public Integer call() throws IOException {
        Location from = Location.parse(source);
        Location to = Location.parse(destination);
        if (from.remote() == to.remote()) {
            throw new ParameterException(command.commandLine(),
                    "one side must be a sandbox path (SANDBOX:/path) and the other a local path");
        }
        try (Wrenn wrenn = client.client()) {
            Filesystem files = wrenn.sandboxes().connect(from.remote() ? from.sandbox() : to.sandbox()).files();
            if (user != null) {
                files = files.as(user);
            }
            if (to.remote()) {
                upload(files, from.path(), to.path());
            } else {
                download(files, from.path(), to.path());
            }
        }
        return 0;
    }

    private void upload(Filesystem files, String local, String remote) throws IOException {
        boolean stdin = local.equals("-");
        long total = stdin ? -1 : Files.size(Path.of(local));
        try (InputStream in = stdin ? ClientCommands.environment(command.commandLine()).stdin() : Files.newInputStream(Path.of(local));
             Progress progress = progress(total)) {
            files.write(remote, new Counting(in, progress));
        }
    }

    private void download(Filesystem files, String remote, String local) throws IOException {
        long total = files.stat(remote).size();
        try (InputStream in = files.readStream(remote); Progress progress = progress(total)) {
            if (local.equals("-")) {
                copy(new Counting(in, progress), System.out);
                System.out.flush();
            } else {
                Path target = Path.of(local);
                if (Files.isDirectory(target)) {
                    target = target.resolve(remote.substring(remote.lastIndexOf('/') + 1));
                }
                Path partial = Files.createTempFile(target.toAbsolutePath().getParent(), ".wrenn-cp-", ".part");
                try {
                    Files.copy(new Counting(in, progress), partial, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(partial);
                }
            }
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = in.read(buffer)) > 0) {
            out.write(buffer, 0, read);
        }
    }

    private Progress progress(long total) {
        boolean terminal = System.console() != null && System.console().isTerminal();
        return new Progress(quiet || !terminal ? null : command.commandLine().getErr(), total);
    }

    /** A one-line progress bar redrawn at most every tenth of a second; silent without a terminal. */
    static final class Progress implements AutoCloseable {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final long total;
        private long done;
        private long drawnAt;

        Progress(PrintWriter err, long total) {
            this.err = err;
            this.total = total;
        }

        void add(long bytes) {
            done += bytes;
            long now = System.nanoTime();
            if (err != null && now - drawnAt > 100_000_000L) {
                drawnAt = now;
                draw();
            }
        }

        private void draw() {
            if (total > 0) {
                int filled = (int) (WIDTH * Math.min(done, total) / total);
                err.printf("\r[%s%s] %3d%% %s", "#".repeat(filled), " ".repeat(WIDTH - filled), 100 * done / total,
                        mebibytes(done));
            } else {
                err.printf("\r%s", mebibytes(done));
            }
            err.flush();
        }

        private static String mebibytes(long bytes) {
            return String.format("%.1f MiB", bytes / 1048576.0);
        }

        @Override
        public void close() {
            if (err != null) {
                draw();
                err.println();
                err.flush();
            }
        }
    }

    /** Counts what passes through into a {@link Progress}. */
    static final class Counting extends FilterInputStream {
        private final Progress progress;

        Counting(InputStream in, Progress progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                progress.add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read = super.read(buffer, offset, length);
            if (read > 0) {
                progress.add(read);
            }
            return read;
        }
    }
}
