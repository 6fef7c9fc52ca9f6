package io.wrenn.hostagent.vm;

import io.wrenn.hostagent.os.SealedMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RAM of snapshot templates as QEMU maps it: one sealed in-memory copy per template memory
 * file ({@link SealedMemory}), shared by every sandbox made from it.
 *
 * <p>Why not the file itself: QEMU 7.2 opens a RAM file read-write even to map it privately, and
 * keeps that descriptor for the VM's life. A guest that broke out into its (jailed) QEMU could
 * then write the template's memory with it, and every sandbox later made from the template, any
 * team's, would run what it wrote: the one thing a jailed QEMU held that reached beyond its own
 * sandbox. The sealed copy refuses every write, on every descriptor of it, root's included, while
 * private copy-on-write mappings of it work as the file's did; and its pages are shared by the
 * template's sandboxes as the file's page cache was.
 *
 * <p>A copy is made at the first start from a template (once per template and agent: the file's
 * data only, zero pages skipped) and held until the template's file is gone or replaced; the
 * QEMUs that map it keep it after that. The cost is the template's touched memory held in RAM once
 * per host while the template exists, where the page cache could have dropped it.
 */
final class TemplateMemories implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TemplateMemories.class);

    /**
     * A copy is closed only this long after it was last handed out, when its file is gone or
     * replaced: a QEMU opens its RAM by the copy's path while it starts (within
     * {@link QemuVirtualMachines}'s start timeout), and a closed copy's descriptor number may name
     * another file by then.
     */
    static final Duration RETIRE_GRACE = Duration.ofMinutes(2);

    /** A template memory file as it is on disk: a replaced file (a new template of the same name) is another. */
    private record Source(Path file, Object fileKey, FileTime modified) {

        static Source of(Path file) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Source(file, attributes.fileKey(), attributes.lastModifiedTime());
        }

        boolean current() {
            try {
                return equals(of(file));
            } catch (IOException e) {
                return false;
            }
        }
    }

    private static final class Copy {
        final SealedMemory memory;
        long handedOutNanos;

        Copy(SealedMemory memory) {
            this.memory = memory;
        }
    }

    private final Map<Source, Copy> copies = new HashMap<>();
    private final Duration retireGrace;

    TemplateMemories() {
        this(RETIRE_GRACE);
    }

    TemplateMemories(Duration retireGrace) {
        this.retireGrace = retireGrace;
    }

    /**
     * Where QEMU opens the template memory {@code file}: the sealed copy of it, made now if this
     * agent has none of the file as it is.
     */
    synchronized Path sealedCopyOf(Path file) {
        retireOld();
        try {
            Source source = Source.of(file);
            Copy copy = copies.get(source);
            if (copy == null) {
                long t0 = System.nanoTime();
                copy = new Copy(SealedMemory.copyOf(file, "wrenn-template-memory"));
                copies.put(source, copy);
                LOG.info("template memory {} copied and sealed in {} ms ({} MiB)", file, (System.nanoTime() - t0) / 1_000_000,
                        copy.memory.size() >> 20);
            }
            copy.handedOutNanos = System.nanoTime();
            return copy.memory.path();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot seal the template memory " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Closes the copies of files deleted or replaced (their template is gone) once no starting
     * QEMU may still open them; at each start and every few seconds ({@link QemuVirtualMachines#releaseUnused}).
     */
    synchronized void retireOld() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<Source, Copy>> it = copies.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Source, Copy> entry = it.next();
            if (now - entry.getValue().handedOutNanos >= retireGrace.toNanos() && !entry.getKey().current()) {
                entry.getValue().memory.close();
                it.remove();
            }
        }
    }

    /** How many copies are held (for tests). */
    synchronized int held() {
        return copies.size();
    }

    @Override
    public synchronized void close() {
        copies.values().forEach(copy -> copy.memory.close());
        copies.clear();
    }
}
