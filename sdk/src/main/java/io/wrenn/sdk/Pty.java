package io.wrenn.sdk;

import java.util.function.Consumer;

/**
 * Interactive terminals in one sandbox: a login shell on a pseudo-terminal whose output
 * arrives as raw bytes (escape sequences included), for a person at a terminal or a program
 * that drives one. Any other program runs on a terminal through {@link Commands#start} with
 * {@link CommandSpec.Builder#pty(int, int)}. Thread-safe.
 */
public interface Pty {

    /**
     * Opens a login shell ({@code bash} where the image has it, else {@code sh}) on a terminal.
     *
     * @param cols   columns
     * @param rows   rows
     * @param onData receives the terminal's output
     * @return the shell's handle: {@link CommandHandle#sendStdin} types into it,
     *         {@link CommandHandle#resize} resizes it
     */
    CommandHandle open(int cols, int rows, Consumer<byte[]> onData);

}
