package io.wrenn.hostagent.sandbox;

import io.wrenn.hostagent.layout.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and writes {@code sandbox.json}; writes are atomic (temp file + rename). Also reads the
 * {@code qemu.pid} QEMU writes beside it: together they are what a new agent re-adopts from.
 */
public final class SandboxStore {

    /** {@code sandbox.json}'s format: 1 had none recorded; 2 records it. */
    static final int FORMAT = 2;

    private final Layout layout;

    public SandboxStore(Layout layout) {
        this.layout = layout;
    }

    public void write(SandboxRecord record) {
        Path target = layout.sandboxJson(record.spec().sandboxId());
        Path temp = target.resolveSibling("sandbox.json.tmp");
        try {
            // 0600: the record holds the guest agent's access token.
            Files.deleteIfExists(temp);
            Files.createFile(temp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.write(temp, Manifests.encode(record, FORMAT));
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<SandboxRecord> read(String sandboxId) {
        Path file = layout.sandboxJson(sandboxId);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Manifests.decode(file, SandboxRecord.class, FORMAT));
        } catch (SandboxException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The PID in the sandbox's {@code qemu.pid}, if there is a readable one. */
    public Optional<Long> qemuPid(String sandboxId) {
        try {
            return Optional.of(Long.parseLong(Files.readString(layout.sandboxPidFile(sandboxId)).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Ids of every sandbox directory, with or without a readable {@code sandbox.json}. */
    public List<String> sandboxIds() {
        try (var dirs = Files.list(layout.sandboxesDir())) {
            return dirs.map(p -> p.getFileName().toString()).filter(Layout::isUuid).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
