package io.wrenn.hostagent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateReceiverTest {

    /** A jail under a long WRENN_HOME: its socket path is longer than a socket address holds. */
    @Test
    void listensInADirectoryWhosePathIsTooLongForASocketAddress(@TempDir Path temp) throws Exception {
        Path jail = temp.resolve("h".repeat(60)).resolve("sandboxes").resolve("0".repeat(36)).resolve("jail");
        Files.createDirectories(jail);
        Path socket = jail.resolve(QemuJail.MIGRATION_SOCKET);
        assertThat(socket.toString().getBytes(StandardCharsets.UTF_8).length).isGreaterThan(108);
        Path target = temp.resolve("state");
        // QEMU reaches the socket by a short path (from inside its chroot); a link stands in for that here.
        Path shortcut = Files.createSymbolicLink(temp.resolve("j"), jail);

        byte[] state = "the VM's state".getBytes(StandardCharsets.UTF_8);
        try (StateReceiver receiver = StateReceiver.listen(socket, target)) {
            assertThat(socket).exists();
            try (SocketChannel qemu = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                qemu.connect(UnixDomainSocketAddress.of(shortcut.resolve(QemuJail.MIGRATION_SOCKET)));
                qemu.write(ByteBuffer.wrap(state));
            }
            assertThat(receiver.await(Duration.ofSeconds(30))).isEqualTo(state.length);
        }
        assertThat(Files.readAllBytes(target)).isEqualTo(state);
        assertThat(socket).doesNotExist();
    }
}
