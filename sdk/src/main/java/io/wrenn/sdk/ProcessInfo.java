package io.wrenn.sdk;

import java.util.List;

/**
 * A process started through Wrenn that is still running.
 *
 * @param pid  its process id in the guest
 * @param tag  its tag, or null
 * @param cmd  its program
 * @param args its arguments
 * @param cwd  its working directory, or null
 */
public record ProcessInfo(int pid, String tag, String cmd, List<String> args, String cwd) {
    public ProcessInfo {
        args = List.copyOf(args);
    }
}
