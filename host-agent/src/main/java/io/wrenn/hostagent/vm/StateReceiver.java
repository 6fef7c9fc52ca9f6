package io.wrenn.hostagent.vm;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Receives one VM state that a jailed QEMU migrates to a Unix socket and writes it to a file:
 * the agent listens, QEMU connects ({@code migrate unix:...}), the bytes go to {@code target}
 * until QEMU closes the connection.
 */
final class StateReceiver implements AutoCloseable {

    private final Path socket;
    private final ServerSocketChannel server;
    private final CompletableFuture<Long> received = new CompletableFuture<>();

    private StateReceiver(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
    }

    /** Listens on {@code socket} and writes the one connection's bytes to {@code target}. */
    static StateReceiver listen(Path socket, Path target) {
        try {
            Files.deleteIfExists(socket);
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            bindThroughShortPath(server, socket);
            // Writable by QEMU's unprivileged user. Nobody else reaches it: it lies in that QEMU's
            // chroot, under the sandbox's directory that only root may enter.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            StateReceiver receiver = new StateReceiver(socket, server);
            Thread.ofVirtual().name("state-receiver").start(() -> receiver.receive(target));
            return receiver;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot listen for the VM's state on " + socket, e);
        }
    }

    /**
     * A socket's path must fit in 108 bytes, and one in a sandbox's jail under a long
     * {@code WRENN_HOME} does not. The kernel follows links in a path's directories, so the socket
     * is bound through a link to its directory placed in a fresh root-only temporary directory:
     * the socket file lands in the jail, where QEMU finds it; the link goes right after.
     */
    private static void bindThroughShortPath(ServerSocketChannel server, Path socket) throws IOException {
        Path shortDir = Files.createTempDirectory("wrenn-bind-");
        Path link = shortDir.resolve("d");
        try {
            Files.createSymbolicLink(link, socket.toAbsolutePath().getParent());
            server.bind(UnixDomainSocketAddress.of(link.resolve(socket.getFileName())), 1);
        } finally {
            Files.deleteIfExists(link);
            Files.deleteIfExists(shortDir);
        }
    }

    private void receive(Path target) {
        try (SocketChannel connection = server.accept();
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            long total = 0;
            while (connection.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    total += out.write(buffer);
                }
                buffer.clear();
            }
            received.complete(total);
        } catch (IOException | RuntimeException e) {
            received.completeExceptionally(e);
        }
    }

    /** Waits until QEMU closed the connection and every byte is in the file; returns their number. */
    long await(Duration timeout) {
        try {
            return received.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("receiving the VM's state failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the VM's state did not arrive within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while receiving the VM's state", e);
        }
    }

    /** Stops listening (a receive in progress fails) and removes the socket. */
    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the jail is emptied before the next start anyway
        }
    }
}
