package io.wrenn.hostagent.os;

import java.util.List;

/** A program exited non-zero, timed out or could not be started. The message is for logs only. */
public final class CommandFailedException extends RuntimeException {

    private final int exitCode;
    private final String output;

    public CommandFailedException(List<String> argv, int exitCode, String output) {
        super(String.join(" ", argv) + " exited " + exitCode + ": " + output.strip());
        this.exitCode = exitCode;
        this.output = output;
    }

    public CommandFailedException(List<String> argv, String reason, Throwable cause) {
        super(String.join(" ", argv) + ": " + reason, cause);
        this.exitCode = -1;
        this.output = "";
    }

    public int exitCode() {
        return exitCode;
    }

    public String output() {
        return output;
    }
}
