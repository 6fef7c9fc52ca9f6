package io.wrenn.controlplane.testing;

import io.wrenn.controlplane.mail.MailSettings;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real SMTP server on loopback: Debian's aiosmtpd (package {@code python3-aiosmtpd}, which
 * {@code ./wrenn} installs) writing every message it accepts into a Maildir the test reads.
 * Started by the test, stopped by its process id at {@link #close()}.
 */
public final class SmtpServer implements AutoCloseable {

    /** Debian's interpreter, where apt puts aiosmtpd (a python3 earlier on PATH may lack it). */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    /** A message as it arrived. */
    public record Received(String to, String from, String subject, String text) {
        /** The token of the address-verification link under {@code publicUrl} that this message carries. */
        public String verificationToken(String publicUrl) {
            java.util.regex.Matcher link = java.util.regex.Pattern.compile(
                    java.util.regex.Pattern.quote(publicUrl + "/dashboard/verify-email#token=") + "([A-Za-z0-9_-]+)").matcher(text);
            if (!link.find()) {
                throw new AssertionError("no verification link under " + publicUrl + " in:\n" + text);
            }
            return link.group(1);
        }
    }

    private final Path directory;
    private final Path maildir;
    private final Process process;
    public final int port;

    public SmtpServer() {
        try {
            directory = Files.createTempDirectory("wrenn-test-smtp-");
            // Not made here: aiosmtpd makes a Maildir (tmp/, new/, cur/) only where none exists.
            maildir = directory.resolve("maildir");
            try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            process = new ProcessBuilder(PYTHON, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + port,
                    "-c", "aiosmtpd.handlers.Mailbox", maildir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitPort(Duration.ofSeconds(20));
    }

    private void awaitPort(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                close();
                throw new IllegalStateException("aiosmtpd exited with " + process.exitValue() + " (is python3-aiosmtpd installed?)");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        close();
        throw new IllegalStateException("aiosmtpd did not listen on port " + port + " in time");
    }

    /** Where received messages land (a Maildir: one file per message under {@code new/}), for readers outside this JVM. */
    public Path maildir() {
        return maildir;
    }

    /** Mail settings that send through this server, with links under {@code publicUrl}. */
    public MailSettings settings(String publicUrl) {
        return MailSettings.parse("smtp://127.0.0.1:" + port, "Wrenn <wrenn@example.com>", URI.create(publicUrl));
    }

    /** Every message received so far, oldest first. */
    public List<Received> received() {
        Path fresh = maildir.resolve("new");
        if (!Files.isDirectory(fresh)) {
            return List.of();
        }
        List<Received> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(fresh)) {
            for (Path file : files.sorted(Comparator.comparing(SmtpServer::modified).thenComparing(Path::toString)).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), in);
                    all.add(new Received(message.getRecipients(jakarta.mail.Message.RecipientType.TO)[0].toString(),
                            message.getFrom()[0].toString(), message.getSubject(), message.getContent().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
        return all;
    }

    /** The messages to {@code to}, oldest first. */
    public List<Received> to(String to) {
        return received().stream().filter(m -> m.to().equalsIgnoreCase(to)).toList();
    }

    /** The {@code n}th message (from 1) to {@code to}, once it has arrived. */
    public Received awaitMail(String to, int n) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> to(to).size() >= n);
        return to(to).get(n - 1);
    }

    private static java.nio.file.attribute.FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
