package io.wrenn.hostagent.disk;

import io.wrenn.hostagent.os.Command;
import io.wrenn.hostagent.os.CommandFailedException;
import io.wrenn.hostagent.os.CommandResult;
import io.wrenn.hostagent.os.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link DiskImages} with {@code qemu-img}, {@code cp} and e2fsprogs. */
public final class QemuImgDisks implements DiskImages {

    /** Whole-disk work (gigabytes, mostly holes) on a busy host. */
    private static final Duration DISK_WORK = Duration.ofMinutes(10);
    private static final Pattern MINIMUM = Pattern.compile("minimum size of the filesystem: (\\d+)");
    private static final Pattern BLOCK_SIZE = Pattern.compile("(?m)^Block size:\\s+(\\d+)");

    private final CommandRunner commands;

    public QemuImgDisks(CommandRunner commands) {
        this.commands = commands;
    }

    @Override
    public void createOverlay(Path base, Path overlay, long sizeMb) {
        String format = base.getFileName().toString().endsWith(".qcow2") ? "qcow2" : "raw";
        commands.run("qemu-img", "create", "-q", "-f", "qcow2", "-F", format, "-b", base.toString(),
                overlay.toString(), sizeMb + "M");
    }

    @Override
    public void flatten(Path overlay, Path target) {
        // convert skips zero clusters, so the result is as sparse as the data allows.
        commands.run("qemu-img", "convert", "-q", "-O", "qcow2", overlay.toString(), target.toString());
    }

    @Override
    public void copySparse(Path source, Path target) {
        commands.run("cp", "--sparse=always", source.toString(), target.toString());
    }

    @Override
    public void flattenRaw(Path overlay, Path target) {
        // raw output leaves zero clusters unwritten: the image is as sparse as the data allows.
        // -U: the VM's QEMU still holds the overlay's lock (nothing migrated it away); its vCPUs
        // are stopped, and a stop drains and flushes every block device, so the file holds still.
        commands.run(Command.of("qemu-img", "convert", "-U", "-q", "-O", "raw", overlay.toString(), target.toString())
                .withTimeout(DISK_WORK));
    }

    @Override
    public void repairFilesystem(Path image) {
        Command command = Command.of("e2fsck", "-f", "-y", image.toString()).withTimeout(DISK_WORK);
        CommandResult result = commands.runUnchecked(command);
        // 0: clean; 1: errors corrected (a replayed journal counts); 2: corrected, reboot advised
        if (result.exitCode() > 2) {
            throw new CommandFailedException(command.argv(), result.exitCode(), result.output());
        }
    }

    @Override
    public long minimumFilesystemMb(Path image) {
        String estimate = commands.run(Command.of("resize2fs", "-P", image.toString()).withTimeout(DISK_WORK)).output();
        String header = commands.run("dumpe2fs", "-h", image.toString()).output();
        Matcher blocks = MINIMUM.matcher(estimate);
        Matcher blockSize = BLOCK_SIZE.matcher(header);
        if (!blocks.find() || !blockSize.find()) {
            throw new IllegalStateException("resize2fs -P or dumpe2fs said nothing usable about " + image.getFileName());
        }
        long bytes = Long.parseLong(blocks.group(1)) * Long.parseLong(blockSize.group(1));
        return (bytes + (1 << 20) - 1) >> 20;
    }

    @Override
    public void resizeFilesystem(Path image, long sizeMb) {
        commands.run(Command.of("resize2fs", "-f", image.toString(), sizeMb + "M").withTimeout(DISK_WORK));
    }
}
