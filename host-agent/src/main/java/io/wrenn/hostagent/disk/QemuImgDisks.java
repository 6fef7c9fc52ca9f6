package io.wrenn.hostagent.disk;

import io.wrenn.hostagent.os.CommandRunner;
import java.nio.file.Path;

/** {@link DiskImages} with {@code qemu-img}. */
public final class QemuImgDisks implements DiskImages {

    private final CommandRunner commands;

    public QemuImgDisks(CommandRunner commands) {
        this.commands = commands;
    }

    @Override
    public void createOverlay(Path base, Path overlay, long sizeMb) {
        commands.run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", base.toString(),
                overlay.toString(), sizeMb + "M");
    }
}
