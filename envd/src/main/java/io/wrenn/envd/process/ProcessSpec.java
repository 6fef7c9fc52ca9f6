package io.wrenn.envd.process;

import io.wrenn.envd.user.User;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A process to start, fully resolved.
 *
 * @param cmd          the command as the client gave it (reported back by List)
 * @param args         its arguments
 * @param requestEnvs  the environment variables the client asked for (reported back by List)
 * @param requestCwd   the working directory the client asked for, if any (reported back by List)
 * @param tag          the client's tag, if any
 * @param stdin        whether the process reads input from the client (otherwise /dev/null)
 * @param user         who runs it
 * @param executable   {@code cmd} resolved against PATH
 * @param environment  the complete environment of the process
 * @param workdir      its working directory, known to exist
 * @param pty          the terminal size when the process runs on a pseudo-terminal
 */
public record ProcessSpec(
        String cmd,
        List<String> args,
        Map<String, String> requestEnvs,
        Optional<String> requestCwd,
        Optional<String> tag,
        boolean stdin,
        User user,
        Path executable,
        Map<String, String> environment,
        Path workdir,
        Optional<PtySize> pty) {

    /** A terminal size in character cells. */
    public record PtySize(int cols, int rows) {
    }
}
