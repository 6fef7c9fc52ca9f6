package io.wrenn.hostagent.os;

/** What a finished program left behind: its exit code and its captured (merged) output. */
public record CommandResult(int exitCode, String output) {
}
