package io.wrenn.envd;

import io.wrenn.envd.user.UserDirectory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An envd on a free port of the loopback interface, whose clock setter only records. */
final class EnvdFixture implements AutoCloseable {
    final List<Instant> clockSets = new CopyOnWriteArrayList<>();
    final List<byte[]> entropySeeds = new CopyOnWriteArrayList<>();
    final Envd envd;
    final EnvdClient client;

    EnvdFixture() throws IOException {
        this(1024 * 1024, 30_000);
    }

    EnvdFixture(long outputWindow, long keepaliveMillis) throws IOException {
        envd = Envd.start(new Envd.Config(new InetSocketAddress("127.0.0.1", 0), instant -> {
            clockSets.add(instant);
            return 0;
        }, seed -> {
            entropySeeds.add(seed);
            return 0;
        }, UserDirectory.system(), outputWindow, Duration.ofSeconds(30), keepaliveMillis));
        client = new EnvdClient(envd.port());
    }

    @Override
    public void close() {
        envd.close();
    }
}
