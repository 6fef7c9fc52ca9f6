package io.wrenn.envd;

import io.wrenn.envd.user.UserDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An envd on a free port of the loopback interface, whose clock setter only records. As a
 * field with {@code @RegisterExtension} it serves one test and is closed after it.
 */
final class EnvdFixture implements AutoCloseable, AfterEachCallback {
    final List<Instant> clockSets = new CopyOnWriteArrayList<>();
    final List<byte[]> entropySeeds = new CopyOnWriteArrayList<>();
    final Envd envd;
    final EnvdClient client;

    EnvdFixture() {
        this(1024 * 1024, 30_000);
    }

    EnvdFixture(long outputWindow, long keepaliveMillis) {
        this(UserDirectory.system(), outputWindow, keepaliveMillis);
    }

    /** An envd that knows the users of {@code users} (a test's own passwd and group files). */
    EnvdFixture(UserDirectory users) {
        this(users, 1024 * 1024, 30_000);
    }

    private EnvdFixture(UserDirectory users, long outputWindow, long keepaliveMillis) {
        envd = start(users, outputWindow, keepaliveMillis, clockSets, entropySeeds);
        client = new EnvdClient(envd.port());
    }

    private static Envd start(UserDirectory users, long outputWindow, long keepaliveMillis, List<Instant> clockSets,
            List<byte[]> entropySeeds) {
        try {
            return Envd.start(new Envd.Config(new InetSocketAddress("127.0.0.1", 0), instant -> {
                clockSets.add(instant);
                return 0;
            }, seed -> {
                entropySeeds.add(seed);
                return 0;
            }, users, outputWindow, Duration.ofSeconds(30), keepaliveMillis));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        envd.close();
    }
}
