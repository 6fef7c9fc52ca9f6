package io.wrenn.envd.process;

/** A piece of a process's output as one read from its pipe returned it. */
public record OutputChunk(Stream stream, byte[] data) {
    public enum Stream { STDOUT, STDERR, PTY }
}
