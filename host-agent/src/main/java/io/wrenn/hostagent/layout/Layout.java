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

    public Path postgresDir() {
        return home.resolve("postgres");
    }

    public Path apiKeyFile() {
        return home.resolve("api-key");
    }

    /** The bootstrap admin's email and generated password (0600), written at first start. */
    public Path adminPasswordFile() {
        return home.resolve("admin-password");
    }

    public Path agentSecretFile() {
        return home.resolve("agent-secret");
    }

    public Path logsDir() {
        return home.resolve("logs");
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

    public Path templateRootfs(String teamId, String templateName) {
        return templateDir(teamId, templateName).resolve("rootfs.ext4");
    }

    public Path templateJson(String teamId, String templateName) {
        return templateDir(teamId, templateName).resolve("template.json");
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

    public Path sandboxQmpSocket(String sandboxId) {
        return sandboxDir(sandboxId).resolve("qmp.sock");
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
