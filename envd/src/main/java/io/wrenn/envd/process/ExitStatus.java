package io.wrenn.envd.process;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How a process ended, in the terms of the protocol's {@code EndEvent}: an exit code, whether the
 * process exited by itself (false when a signal ended it), a status text such as
 * {@code "exit status 3"} or {@code "signal: killed"}, and an error text for any unsuccessful end.
 */
public record ExitStatus(int exitCode, boolean exited, String status, Optional<String> error) {

    /**
     * Interprets a JDK exit value. The JDK reports death by signal N as 128+N; when envd itself sent
     * that signal, the end is reported as a signal, otherwise as the plain exit code.
     */
    public static ExitStatus of(int exitValue, int signalSent) {
        if (signalSent > 0 && exitValue == 128 + signalSent) {
            String status = "signal: " + signalName(signalSent);
            return new ExitStatus(-1, false, status, Optional.of(status));
        }
        String status = "exit status " + exitValue;
        return new ExitStatus(exitValue, true, status, exitValue == 0 ? Optional.empty() : Optional.of(status));
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 9 -> "killed";
            case 15 -> "terminated";
            default -> "signal " + signal;
        };
    }

    public Map<String, Object> toJson() {
        var json = new LinkedHashMap<String, Object>();
        json.put("exitCode", exitCode);
        json.put("exited", exited);
        json.put("status", status);
        error.ifPresent(e -> json.put("error", e));
        return json;
    }
}
