package io.wrenn.cli;

import io.wrenn.hostagent.layout.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * An all-in-one Wrenn of a tool's own (bench, smoke): a fresh home in a temporary directory, the
 * shared guest images, an ephemeral port; closing it stops everything and removes the home.
 */
final class PrivateWrenn implements AutoCloseable {
    private final Path home;
    private final AllInOne wrenn;

    private PrivateWrenn(Path home, AllInOne wrenn) {
        this.home = home;
        this.wrenn = wrenn;
    }

    /** Starts one whose home is named after {@code tool}. */
    static PrivateWrenn start(String tool) throws IOException {
        Path home = Files.createTempDirectory("wrenn-" + tool + "-");
        try {
            Layout shared = Layout.fromEnvironment();
            return new PrivateWrenn(home, AllInOne.start(new AllInOne.Settings(Layout.of(home, shared.imagesDir()), "127.0.0.1", 0)));
        } catch (RuntimeException e) {
            deleteTree(home);
            throw e;
        }
    }

    AllInOne wrenn() {
        return wrenn;
    }

    /** The API's base URL. */
    String baseUrl() {
        return "http://127.0.0.1:" + wrenn.apiPort();
    }

    @Override
    public void close() throws IOException {
        try {
            wrenn.close();
        } finally {
            deleteTree(home);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
