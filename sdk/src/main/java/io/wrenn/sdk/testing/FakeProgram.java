package io.wrenn.sdk.testing;

import io.wrenn.sdk.CommandSpec;
import io.wrenn.sdk.Filesystem;
import java.io.InputStream;
import java.util.List;

/**
 * What a command does inside a {@link WrennFake} sandbox: the fake runs no programs, so a
 * test says what each program it expects prints and returns.
 *
 * <pre>{@code
 * fake.onCommand("python3", process -> {
 *     process.stdout("42\n");
 *     return 0;
 * });
 * }</pre>
 */
@FunctionalInterface
public interface FakeProgram {

    /**
     * Runs the program.
     *
     * @param process its arguments, input, output and sandbox
     * @return its exit code
     * @throws Exception anything: the process then ends with exit code 1 and the error's message on stderr
     */
    int run(Process process) throws Exception;

    /** A running fake process, as a program sees it. */
    interface Process {
        /** How it was started. */
        CommandSpec spec();

        /** Its arguments (for {@code sh -c "prog a b"}, those after {@code prog}). */
        List<String> args();

        /** Its standard input, to its end once the caller closes it. */
        InputStream stdin();

        /** Writes to its standard output. */
        void stdout(String text);

        /** Writes to its standard error. */
        void stderr(String text);

        /**
         * Writes to its sandbox's serial console, as a guest's kernel or a root process writing to
         * {@code /dev/console} would; read back with {@link io.wrenn.sdk.Sandbox#console(int)}.
         */
        void console(String text);

        /** The files of its sandbox, as its user. */
        Filesystem files();

        /** True once a signal asked it to stop; long-running programs poll it. */
        boolean killed();
    }
}
