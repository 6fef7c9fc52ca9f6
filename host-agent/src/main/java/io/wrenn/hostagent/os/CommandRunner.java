package io.wrenn.hostagent.os;

/**
 * Runs external programs (ip, nft, qemu-img, qemu-system-x86_64...). Every Linux operation of
 * the host agent goes through this seam so that tests can replace it and logs show every argv.
 */
public interface CommandRunner {

    /** Runs the command and returns its result; throws when it exits non-zero or times out. */
    default CommandResult run(Command command) {
        CommandResult result = runUnchecked(command);
        if (result.exitCode() != 0) {
            throw new CommandFailedException(command.argv(), result.exitCode(), result.output());
        }
        return result;
    }

    /** Convenience for {@code run(Command.of(argv))}. */
    default CommandResult run(String... argv) {
        return run(Command.of(argv));
    }

    /** Runs the command and returns its result whatever the exit code; throws only on timeout or start failure. */
    CommandResult runUnchecked(Command command);

    /**
     * Starts a long-running program (a VM) without waiting for it. The program stays our child,
     * so the JVM reaps it when it exits and no zombie outlives it; its output must go to
     * {@link Command#outputFile()} because nobody reads a pipe.
     */
    ProcessHandle spawn(Command command);
}
