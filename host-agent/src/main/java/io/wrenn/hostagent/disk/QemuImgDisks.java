package io.wrenn.hostagent.disk;

import io.wrenn.hostagent.os.CommandRunner;
import java.nio.file.Path;

/** {@link DiskImages} with {@code qemu-img} and {@code cp}. */
public final class QemuImgDisks implements DiskImages {

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
}
