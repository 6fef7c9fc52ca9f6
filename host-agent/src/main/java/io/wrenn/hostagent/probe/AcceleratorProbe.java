package io.wrenn.hostagent.probe;

import io.wrenn.hostagent.layout.Layout;
import io.wrenn.hostagent.os.Command;
import io.wrenn.hostagent.os.CommandResult;
import io.wrenn.hostagent.os.CommandRunner;
import io.wrenn.hostagent.sandbox.SandboxManager;
import io.wrenn.hostagent.sandbox.Template;
import io.wrenn.hostagent.sandbox.TemplateCatalog;
import io.wrenn.hostagent.vm.Accelerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides between KVM and TCG by booting a real guest, because {@code /dev/kvm} answering is not
 * proof that a Linux guest boots (FACTS.md: here it does not). The verdict is cached in the host
 * directory, keyed by the QEMU version and the kernel image, so the probe runs once per change.
 */
public final class AcceleratorProbe {

    private static final Logger LOG = LoggerFactory.getLogger(AcceleratorProbe.class);
    /** Under KVM a guest answers in well under 2 s; here a KVM guest spins silently, so keep this short. */
    private static final Duration PROBE_DEADLINE = Duration.ofSeconds(10);

    private final Layout layout;
    private final CommandRunner commands;
    private final TemplateCatalog templates;
    private final SandboxManager manager;

    public AcceleratorProbe(Layout layout, CommandRunner commands, TemplateCatalog templates, SandboxManager manager) {
        this.layout = layout;
        this.commands = commands;
        this.templates = templates;
        this.manager = manager;
    }

    /** The accelerator to use: the cached verdict, else a probe boot's, else TCG. */
    public Accelerator resolve() {
        if (!Files.exists(Path.of("/dev/kvm"))) {
            return Accelerator.TCG;
        }
        Optional<Template> minimal = templates.find(Layout.PLATFORM_TEAM, "minimal");
        if (minimal.isEmpty() || !Files.isRegularFile(layout.kernelImage())) {
            LOG.info("no kernel or minimal template to probe KVM with; using TCG");
            return Accelerator.TCG;
        }
        String key = cacheKey();
        // Two caches: the home's (survives reboots) and the machine's (shared by throw-away homes).
        Path homeCache = layout.hostDir().resolve("accelerator");
        Path machineCache = layout.machineRunDir().resolve("accelerator");
        Optional<Accelerator> cached = readCache(homeCache, key).or(() -> readCache(machineCache, key));
        if (cached.isPresent()) {
            writeCache(homeCache, key, cached.get());
            return cached.get();
        }
        LOG.info("probing whether a guest boots with KVM (once per machine, QEMU and kernel)");
        Accelerator verdict = manager.bootsWith(Accelerator.KVM, minimal.get(), PROBE_DEADLINE) ? Accelerator.KVM : Accelerator.TCG;
        LOG.info("accelerator: {}", verdict.wireName());
        writeCache(homeCache, key, verdict);
        writeCache(machineCache, key, verdict);
        return verdict;
    }

    private String cacheKey() {
        CommandResult version = commands.runUnchecked(Command.of("qemu-system-x86_64", "--version"));
        String qemu = version.output().lines().findFirst().orElse("unknown").strip();
        try {
            Path kernel = layout.kernelImage();
            return qemu + " | kernel " + Files.size(kernel) + " " + Files.getLastModifiedTime(kernel).toMillis();
        } catch (IOException e) {
            return qemu + " | kernel unknown";
        }
    }

    private static Optional<Accelerator> readCache(Path cache, String key) {
        try {
            var lines = Files.readAllLines(cache);
            if (lines.size() >= 2 && lines.get(0).equals(key)) {
                return Optional.of(Accelerator.fromWireName(lines.get(1).strip()));
            }
        } catch (IOException | IllegalArgumentException e) {
            // no usable cache: probe
        }
        return Optional.empty();
    }

    private static void writeCache(Path cache, String key, Accelerator verdict) {
        try {
            Files.createDirectories(cache.getParent());
            // Written whole then renamed, so a concurrent reader never sees half a file.
            Path temp = Files.createTempFile(cache.getParent(), "accelerator", ".tmp");
            Files.writeString(temp, key + "\n" + verdict.wireName() + "\n");
            Files.move(temp, cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("could not cache the accelerator verdict: {}", e.toString());
        }
    }
}
