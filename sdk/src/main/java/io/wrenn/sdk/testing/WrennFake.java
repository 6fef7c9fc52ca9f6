package io.wrenn.sdk.testing;

import io.wrenn.sdk.ApiKey;
import io.wrenn.sdk.ApiKeys;
import io.wrenn.sdk.Builds;
import io.wrenn.sdk.MetricsRange;
import io.wrenn.sdk.UsageStats;
import io.wrenn.sdk.Sandbox;
import io.wrenn.sdk.SandboxInfo;
import io.wrenn.sdk.SandboxSpec;
import io.wrenn.sdk.SandboxStatus;
import io.wrenn.sdk.Sandboxes;
import io.wrenn.sdk.Template;
import io.wrenn.sdk.Templates;
import io.wrenn.sdk.Wrenn;
import io.wrenn.sdk.WrennException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * An in-memory {@link Wrenn} for unit tests of programs that use the SDK: sandboxes, files,
 * pause/resume, snapshots and keys behave as the server's do (same exceptions, same error
 * codes), without a server or a VM. Processes run {@link FakeProgram}s registered by name with
 * {@link #onCommand}; {@code echo}, {@code cat} (its files, else stdin, to stdout), {@code true}, {@code false},
 * {@code exit N}, {@code sleep} and {@code shell} (a pty's shell, echoing each line typed until {@code exit}) are built in, and an unknown program exits 127 with
 * {@code command not found} on stderr, as a shell would. A sandbox's console holds what its programs
 * write with {@link FakeProgram.Process#console} or print in a shell line ending in {@code > /dev/console}. Templates {@code minimal} and
 * {@code debian} exist; more with {@link #addTemplate}. Thread-safe.
 *
 * <pre>{@code
 * WrennFake wrenn = new WrennFake();
 * wrenn.onCommand("python3", process -> { process.stdout("42\n"); return 0; });
 * assertEquals("42\n", new MyAgent(wrenn).answer());
 * }</pre>
 */
public final class WrennFake implements Wrenn {
    private static final Pattern SNAPSHOT_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final String ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

    private final SecureRandom random = new SecureRandom();
    private final Map<String, FakeProgram> programs = new ConcurrentHashMap<>();
    private final Map<String, FakeSandbox> sandboxes = new LinkedHashMap<>();
    private final Map<String, Template> templates = new LinkedHashMap<>();
    private final Map<String, FakeDisk> snapshotDisks = new LinkedHashMap<>();
    private final Map<String, ApiKey> keys = new LinkedHashMap<>();
    private final SandboxesView sandboxesView = new SandboxesView();
    private final TemplatesView templatesView = new TemplatesView();
    private final KeysView keysView = new KeysView();
    private final FakeBuilds builds = new FakeBuilds(this);

    /** A fake with the platform's base templates and the built-in programs. */
    public WrennFake() {
        addTemplate("minimal");
        addTemplate("debian");
        onCommand("true", process -> 0);
        onCommand("false", process -> 1);
        onCommand("echo", process -> {
            process.stdout(String.join(" ", process.args()) + "\n");
            return 0;
        });
        onCommand("cat", process -> {
            if (!process.args().isEmpty()) {
                for (String file : process.args()) {
                    process.stdout(process.files().readString(file));
                }
                return 0;
            }
            byte[] buffer = new byte[8192];
            int read;
            while ((read = process.stdin().read(buffer)) > 0) {
                process.stdout(new String(buffer, 0, read, java.nio.charset.StandardCharsets.UTF_8));
            }
            return 0;
        });
        // An interactive shell on a pty: a terminal that echoes each line typed, until `exit`.
        onCommand("shell", process -> {
            java.io.BufferedReader lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(process.stdin(), java.nio.charset.StandardCharsets.UTF_8));
            String line;
            while (!process.killed() && (line = lines.readLine()) != null) {
                process.stdout(line + "\r\n");
                if (line.strip().equals("exit")) {
                    return 0;
                }
            }
            return 0;
        });
        onCommand("exit", process -> process.args().isEmpty() ? 0 : Integer.parseInt(process.args().get(0)));
        onCommand("sleep", process -> {
            long until = System.nanoTime() + (long) (Double.parseDouble(process.args().get(0)) * 1e9);
            while (!process.killed() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            return 0;
        });
    }

    /**
     * Says what a program does in every sandbox of this fake (replacing a built-in one).
     *
     * @param name    the program's name, without its directory ({@code python3})
     * @param program what it does
     * @return this fake
     */
    public WrennFake onCommand(String name, FakeProgram program) {
        programs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(program, "program"));
        return this;
    }

    /**
     * Adds an image template sandboxes can be created from.
     *
     * @param name its name
     * @return this fake
     */
    public synchronized WrennFake addTemplate(String name) {
        templates.put(name, new Template(newId("tpl-"), name, "image", true, 1, 512, 5120, null, Instant.now()));
        return this;
    }

    FakeProgram program(String name) {
        return programs.getOrDefault(name, process -> {
            process.stderr("sh: " + name + ": command not found\n");
            return 127;
        });
    }

    /** A new running sandbox on {@code disk}: a create's, or a fork's with its source's spec. */
    synchronized FakeSandbox addSandbox(SandboxSpec spec, Template template, FakeDisk disk) {
        FakeSandbox sandbox = new FakeSandbox(this, newId("sb-"), spec, template, disk);
        sandboxes.put(sandbox.id(), sandbox);
        return sandbox;
    }

    String newId(String prefix) {
        StringBuilder id = new StringBuilder(prefix);
        for (int i = 0; i < 25; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    synchronized Template addMadeTemplate(String name, String type, FakeSandbox source, FakeDisk disk) {
        if (!SNAPSHOT_NAME.matcher(name).matches()) {
            throw new WrennException.InvalidRequestException("invalid_request", 400,
                    "name must match [a-z0-9][a-z0-9._-]{0,62}");
        }
        if (templates.containsKey(name)) {
            throw new WrennException.ConflictException("conflict", 409, "a template of that name exists");
        }
        SandboxInfo info = source.info();
        Template template = new Template(newId("tpl-"), name, type, false, info.vcpus(), info.memoryMb(),
                info.diskSizeMb(), 0L, Instant.now());
        templates.put(name, template);
        snapshotDisks.put(name, disk);
        return template;
    }

    @Override
    public Sandboxes sandboxes() {
        return sandboxesView;
    }

    @Override
    public Templates templates() {
        return templatesView;
    }

    @Override
    public Builds builds() {
        return builds;
    }

    @Override
    public ApiKeys apiKeys() {
        return keysView;
    }

    /** Nothing to release. */
    @Override
    public void close() {
    }

    private final class SandboxesView implements Sandboxes {
        @Override
        public Sandbox create(SandboxSpec spec) {
            synchronized (WrennFake.this) {
                Template template = templates.get(spec.template());
                if (template == null) {
                    throw new WrennException.NotFoundException("template_not_found", 404, "no such template");
                }
                if (template.type().equals("snapshot")
                        && (spec.vcpus() != null || spec.memoryMb() != null)) {
                    throw new WrennException.InvalidRequestException("invalid_request", 400,
                            "a snapshot's vcpus and memory are fixed");
                }
                FakeDisk disk = snapshotDisks.containsKey(template.name())
                        ? snapshotDisks.get(template.name()).copy() : new FakeDisk();
                return addSandbox(spec, template, disk);
            }
        }

        @Override
        public Sandbox connect(String id) {
            synchronized (WrennFake.this) {
                FakeSandbox sandbox = sandboxes.get(id);
                if (sandbox == null) {
                    throw new WrennException.NotFoundException("sandbox_not_found", 404, "no such sandbox");
                }
                return sandbox;
            }
        }

        @Override
        public List<SandboxInfo> list() {
            return list(java.util.EnumSet.complementOf(java.util.EnumSet.of(SandboxStatus.STOPPED)));
        }

        @Override
        public List<SandboxInfo> list(Set<SandboxStatus> statuses) {
            synchronized (WrennFake.this) {
                List<SandboxInfo> listed = new ArrayList<>();
                for (FakeSandbox sandbox : sandboxes.values()) {
                    if (statuses.isEmpty() || statuses.contains(sandbox.status())) {
                        listed.add(0, sandbox.info());
                    }
                }
                return listed;
            }
        }

        @Override
        public UsageStats stats(MetricsRange range) {
            synchronized (WrennFake.this) {
                List<SandboxInfo> infos = new ArrayList<>();
                sandboxes.values().forEach(sandbox -> infos.add(sandbox.info()));
                return FakeMetrics.team(infos, range);
            }
        }
    }

    private final class TemplatesView implements Templates {
        @Override
        public List<Template> list() {
            synchronized (WrennFake.this) {
                List<Template> snapshots = new ArrayList<>();
                for (Template template : templates.values()) {
                    if (snapshotDisks.containsKey(template.name())) {
                        snapshots.add(template);
                    }
                }
                snapshots.sort(Comparator.comparing(Template::name));
                return snapshots;
            }
        }

        @Override
        public Template get(String name) {
            synchronized (WrennFake.this) {
                Template template = templates.get(name);
                if (template == null || !snapshotDisks.containsKey(template.name())) {
                    throw new WrennException.NotFoundException("template_not_found", 404, "no such template");
                }
                return template;
            }
        }

        @Override
        public void delete(String name) {
            synchronized (WrennFake.this) {
                get(name);
                for (FakeSandbox sandbox : sandboxes.values()) {
                    if (sandbox.templateName().equals(name) && sandbox.status() != SandboxStatus.STOPPED) {
                        throw new WrennException.ConflictException("invalid_state", 409,
                                "a sandbox made from the snapshot is not stopped");
                    }
                }
                templates.remove(name);
                snapshotDisks.remove(name);
            }
        }
    }

    private final class KeysView implements ApiKeys {
        @Override
        public Created create(String name) {
            synchronized (WrennFake.this) {
                byte[] secret = new byte[24];
                random.nextBytes(secret);
                String key = "e2b_" + HexFormat.of().formatHex(secret);
                ApiKey info = new ApiKey(newId("key-"), name, key.substring(0, 8), null, Instant.now(), null);
                keys.put(info.id(), info);
                return new Created(key, info);
            }
        }

        @Override
        public List<ApiKey> list() {
            synchronized (WrennFake.this) {
                return new ArrayList<>(keys.values());
            }
        }

        @Override
        public void revoke(String id) {
            synchronized (WrennFake.this) {
                if (keys.remove(id) == null) {
                    throw new WrennException.NotFoundException("api_key_not_found", 404, "no such key");
                }
            }
        }
    }
}
