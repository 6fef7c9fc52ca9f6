package io.wrenn.hostagent.layout;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The one place that knows where Wrenn keeps things on disk (docs/ARCHITECTURE.md, "Layout on disk").
 *
 * <p>Every path under {@code WRENN_HOME} is built here so that a change of layout is a change of
 * this class only. Identifiers that become path segments are validated, because they arrive over
 * the network and must never be able to climb out of their directory.
 */
public final class Layout {

    /** The all-zero team that owns platform templates. */
    public static final String PLATFORM_TEAM = "00000000-0000-0000-0000-000000000000";

    private static final Pattern TEMPLATE_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern WARM_KEY = Pattern.compile("[0-9a-f]{1,64}-[0-9a-f]{1,64}");

    private final Path home;
    private final Path images;

    private Layout(Path home, Path images) {
        this.home = home.toAbsolutePath().normalize();
        this.images = images.toAbsolutePath().normalize();
    }

    /** A layout rooted at {@code home} with images at {@code home/images}. */
    public static Layout of(Path home) {
        Objects.requireNonNull(home, "home is null");
        return new Layout(home, home.resolve("images"));
    }

    /** A layout rooted at {@code home} whose images live elsewhere (a shared cache in tests). */
    public static Layout of(Path home, Path images) {
        Objects.requireNonNull(home, "home is null");
        Objects.requireNonNull(images, "images is null");
        return new Layout(home, images);
    }

    /** {@code WRENN_HOME} (default {@code ~/.wrenn}) and {@code WRENN_IMAGES} from the environment. */
    public static Layout fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** Same as {@link #fromEnvironment()} with an explicit environment, for tests. */
    public static Layout fromEnvironment(Map<String, String> env) {
        String homeVar = env.get("WRENN_HOME");
        Path home = homeVar == null || homeVar.isBlank()
                ? Path.of(System.getProperty("user.home"), ".wrenn")
                : Path.of(homeVar);
        String imagesVar = env.get("WRENN_IMAGES");
        return imagesVar == null || imagesVar.isBlank() ? of(home) : of(home, Path.of(imagesVar));
    }

    public Path home() {
        return home;
    }

    /** Facts this host agent learned about its machine (e.g. the accelerator probe's verdict). */
    public Path hostDir() {
        return home.resolve("host");
    }

    /**
     * Machine-wide facts shared by every agent on this machine whatever its home, forgotten at
     * reboot (a tmpfs): {@code /run/wrenn}. Throw-away homes (tests) thus probe the machine once.
     */
    public Path machineRunDir() {
        return Path.of("/run/wrenn");
    }

    public Path imagesDir() {
        return images;
    }

    public Path kernelDir() {
        return images.resolve("kernel");
    }

    public Path kernelImage() {
        return kernelDir().resolve("vmlinux");
    }

    public Path initrdImage() {
        return kernelDir().resolve("initrd.img");
    }

    public Path teamsDir() {
        return images.resolve("teams");
    }

    public Path templateDir(String teamId, String templateName) {
        return teamsDir().resolve(requireUuid(teamId, "team id")).resolve(requireTemplateName(templateName));
    }

    /** A base image installed with the host (images/build.sh, import.sh). */
    public ImageFiles imageFiles(String teamId, String templateName) {
        return new ImageFiles(templateDir(teamId, templateName));
    }

    public Path templateRootfs(String teamId, String templateName) {
        return imageFiles(teamId, templateName).rootfs();
    }

    public Path templateCompactRootfs(String teamId, String templateName) {
        return imageFiles(teamId, templateName).compactRootfs();
    }

    public Path templateJson(String teamId, String templateName) {
        return imageFiles(teamId, templateName).json();
    }

    /**
     * The files of an image template, in its directory or in a staging directory: base images
     * under {@code images/teams/}, images made through the API (from a sandbox's disk) next to
     * the snapshots under {@code templates/}.
     */
    public record ImageFiles(Path dir) {
        /** ext4 at the image's size (the default disk size for built images), sparse. */
        public Path rootfs() {
            return dir.resolve("rootfs.ext4");
        }

        /** The same files in a filesystem just big enough for them: the base of smaller disks. */
        public Path compactRootfs() {
            return dir.resolve("rootfs.compact.ext4");
        }

        /** {@code name}, {@code default_user}, {@code default_workdir}, {@code default_env}, sizes. */
        public Path json() {
            return dir.resolve("template.json");
        }
    }

    public Path sandboxesDir() {
        return home.resolve("sandboxes");
    }

    public Path sandboxDir(String sandboxId) {
        return sandboxesDir().resolve(requireUuid(sandboxId, "sandbox id"));
    }

    public Path sandboxOverlay(String sandboxId) {
        return sandboxDir(sandboxId).resolve("disk.qcow2");
    }

    /**
     * QEMU's control socket lies in each sandbox's directory, and a socket's path holds at most
     * 107 bytes: a home too deep for it is refused here, at start, with what to do about it.
     */
    public void requireSocketPathsFit() {
        int longest = 107; // sun_path's 108 bytes less the terminating NUL
        int length = sandboxQmpSocket(new java.util.UUID(0, 0).toString()).toAbsolutePath().toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (length > longest) {
            throw new IllegalStateException("WRENN_HOME " + home.toAbsolutePath() + " is too long by " + (length - longest)
                    + " bytes for the sockets of its sandboxes (a socket's path holds at most " + longest
                    + "); choose a shorter one");
        }
    }

    public Path sandboxQmpSocket(String sandboxId) {
        return sandboxDir(sandboxId).resolve("qmp.sock");
    }

    /**
     * The base image (or snapshot disk) the sandbox's overlay was made on, as a hard link of its
     * own: {@code base.} and the file's name, whose suffix tells its format.
     */
    public Path sandboxBase(String sandboxId, Path base) {
        return sandboxDir(sandboxId).resolve("base." + base.getFileName());
    }

    public Path sandboxSerialLog(String sandboxId) {
        return sandboxDir(sandboxId).resolve("serial.log");
    }

    public Path sandboxPidFile(String sandboxId) {
        return sandboxDir(sandboxId).resolve("qemu.pid");
    }

    public Path sandboxJson(String sandboxId) {
        return sandboxDir(sandboxId).resolve("sandbox.json");
    }

    /**
     * The sandbox's guest RAM as a file QEMU maps shared: a pause only has to save device state
     * (the RAM is already on disk), and a paused sandbox holds no host memory.
     */
    public Path sandboxMemory(String sandboxId) {
        return sandboxDir(sandboxId).resolve("memory");
    }

    /** A committed pause: {@code pause.json}, the device state; renamed from {@link #sandboxPauseStaging}. */
    public Path sandboxPauseDir(String sandboxId) {
        return sandboxDir(sandboxId).resolve("pause");
    }

    /** Where a pause in progress writes; never read as a pause. */
    public Path sandboxPauseStaging(String sandboxId) {
        return sandboxDir(sandboxId).resolve("pause.staging");
    }

    /**
     * Templates made on this host through the API (snapshots, and images from a sandbox's
     * disk), one directory per team and name.
     */
    public Path snapshotsDir() {
        return home.resolve("templates");
    }

    public Path snapshotDir(String teamId, String templateName) {
        return snapshotsDir().resolve(requireUuid(teamId, "team id")).resolve(requireTemplateName(templateName));
    }

    /** An image template made through the API: it lives with the snapshots, in this home. */
    public ImageFiles madeImageFiles(String teamId, String templateName) {
        return new ImageFiles(snapshotDir(teamId, templateName));
    }

    public SnapshotFiles snapshotFiles(String teamId, String templateName) {
        return new SnapshotFiles(snapshotDir(teamId, templateName));
    }

    /** The files of a snapshot template, in its directory or in a staging directory. */
    public record SnapshotFiles(Path dir) {
        /** Guest RAM, sparse; every sandbox of the template maps it privately. */
        public Path memory() {
            return dir.resolve("memory");
        }

        /** Device state saved with x-ignore-shared (the RAM is {@link #memory()}). */
        public Path state() {
            return dir.resolve("state");
        }

        /** The flattened, sparse disk; sandboxes get qcow2 overlays on it. */
        public Path disk() {
            return dir.resolve("disk.qcow2");
        }

        public Path json() {
            return dir.resolve("snapshot.json");
        }

        /** A warm snapshot's: what its guest printed on its console while it booted. */
        public Path console() {
            return dir.resolve("console");
        }

        /** A full migration stream (RAM included), kept only while it is turned into {@link #memory()}. */
        public Path stream() {
            return dir.resolve("stream");
        }

        /** The PID of a helper QEMU working in a staging directory, so a restarted agent can stop it. */
        public Path helperPid() {
            return dir.resolve("helper.pid");
        }
    }

    /**
     * Snapshots being written, and templates being removed. Each is renamed into (or out of)
     * place at once, so a crash never leaves half a template; the agent empties this at start.
     */
    public Path snapshotStagingDir() {
        return snapshotsDir().resolve(".staging");
    }

    /**
     * Warm snapshots of platform images, beside the images and so shared by every agent of the
     * machine whatever its home: {@code warm/{image}/{key}/} holds the files of a snapshot
     * ({@link SnapshotFiles}) of the image freshly booted.
     */
    public Path warmDir() {
        return images.resolve("warm");
    }

    /** The warm snapshots of one image, its lock and its staging directories. */
    public Path warmImageDir(String imageName) {
        return warmDir().resolve(requireTemplateName(imageName));
    }

    /** One warm snapshot of {@code imageName}, named by its key. */
    public SnapshotFiles warmSnapshotFiles(String imageName, String key) {
        if (key == null || !WARM_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("warm snapshot key is not valid");
        }
        return new SnapshotFiles(warmImageDir(imageName).resolve(key));
    }

    /** Held (a file lock) by the one agent of the machine priming a warm snapshot of {@code imageName}. */
    public Path warmLock(String imageName) {
        return warmImageDir(imageName).resolve(".lock");
    }

    /** Where a warm snapshot being written lies until it is renamed into place; {@code .staging-} and a random id. */
    public Path warmStaging(String imageName, String id) {
        return warmImageDir(imageName).resolve(WARM_STAGING_PREFIX + requireUuid(id, "staging id"));
    }

    /** The names of a warm image directory's staging directories start so. */
    public static final String WARM_STAGING_PREFIX = ".staging-";

    /**
     * Marks a sandbox directory as a warm snapshot's primer (an internal VM no caller ever sees):
     * an agent that finds it at start stops its QEMU and removes it, never re-adopts it.
     */
    public Path sandboxWarmPrimerMarker(String sandboxId) {
        return sandboxDir(sandboxId).resolve("warm-primer");
    }

    /** QEMU's own stdout/stderr (argument errors and warnings land here). */
    public Path sandboxQemuLog(String sandboxId) {
        return sandboxDir(sandboxId).resolve("qemu.log");
    }

    /** True when {@code value} is a canonical (lower-case, hyphenated) UUID string. */
    public static boolean isUuid(String value) {
        if (value == null || value.length() != 36) {
            return false;
        }
        try {
            return UUID.fromString(value).toString().equals(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True when {@code value} can name a template directory. */
    public static boolean isTemplateName(String value) {
        return value != null && TEMPLATE_NAME.matcher(value).matches();
    }

    private static String requireUuid(String value, String what) {
        if (!isUuid(value)) {
            throw new IllegalArgumentException(what + " is not a canonical UUID");
        }
        return value;
    }

    private static String requireTemplateName(String value) {
        if (!isTemplateName(value)) {
            throw new IllegalArgumentException("template name is not valid");
        }
        return value;
    }

    @Override
    public String toString() {
        return "Layout[home=" + home + ", images=" + images + "]";
    }
}
