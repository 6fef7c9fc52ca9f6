package io.wrenn.envd.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the argv that starts a process: under {@code setsid}, so the process leads a process
 * group of its own and a signal can reach everything it spawned, and under
 * {@code setpriv --reuid --regid --init-groups} when it runs as a user other than envd's own.
 * Both tools exec in place, so the pid the JDK reports is the command's pid.
 */
public final class ProcessLauncher {
    private final Optional<Path> setsid;
    private final Optional<Path> setpriv;
    private final int ownUid;

    public ProcessLauncher(Optional<Path> setsid, Optional<Path> setpriv, int ownUid) {
        this.setsid = setsid;
        this.setpriv = setpriv;
        this.ownUid = ownUid;
    }

    public static ProcessLauncher system() {
        return new ProcessLauncher(
                firstExecutable("/usr/bin/setsid", "/bin/setsid", "/usr/sbin/setsid", "/sbin/setsid"),
                firstExecutable("/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv", "/sbin/setpriv"),
                currentUid());
    }

    /** The effective uid of this JVM: the owner of /proc/self. */
    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static Optional<Path> firstExecutable(String... candidates) {
        for (String candidate : candidates) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    public int ownUid() {
        return ownUid;
    }

    /** Whether processes get a process group of their own. */
    public boolean ownProcessGroup() {
        return setsid.isPresent();
    }

    /**
     * The argv. For a process on a pseudo-terminal, a shell first opens the terminal's slave
     * as stdin, stdout and stderr; being the leader of the new session, it thereby makes the
     * terminal its controlling terminal, then execs the command (same pid throughout).
     */
    public List<String> command(ProcessSpec spec, Optional<String> ptySlave) {
        var command = new ArrayList<String>();
        setsid.ifPresent(p -> command.add(p.toString()));
        ptySlave.ifPresent(slave -> {
            command.add("/bin/sh");
            command.add("-c");
            command.add("exec 0<>\"$0\" 1>&0 2>&0; exec \"$@\"");
            command.add(slave);
        });
        if (spec.user().uid() != ownUid) {
            Path tool = setpriv.orElseThrow(() -> new IllegalStateException("setpriv is needed to run as " + spec.user().name()));
            command.add(tool.toString());
            command.add("--reuid=" + spec.user().uid());
            command.add("--regid=" + spec.user().gid());
            command.add("--init-groups");
            command.add("--");
        }
        command.add(spec.executable().toString());
        command.addAll(spec.args());
        return command;
    }
}
