package io.wrenn.sdk.testing;

import io.wrenn.sdk.CommandHandle;
import io.wrenn.sdk.CommandResult;
import io.wrenn.sdk.CommandSpec;
import io.wrenn.sdk.Commands;
import io.wrenn.sdk.ProcessInfo;
import io.wrenn.sdk.Pty;
import io.wrenn.sdk.WrennException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Processes of a {@link FakeSandbox}: the program is looked up by name among the fake's
 * {@link FakeProgram}s; {@code sh -c "prog a b"} runs {@code prog} with {@code a b} (words split
 * at blanks, no quoting; a line ending in {@code > /dev/console} prints to the sandbox's console),
 * and {@code exit N} exits with N. A shell on a pty
 * ({@link Pty#open}) runs the program {@code shell}.
 */
final class FakeCommands implements Commands, Pty {
    private final FakeSandbox sandbox;

    FakeCommands(FakeSandbox sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    public CommandResult run(String script) {
        return run(CommandSpec.shell(script));
    }

    @Override
    public CommandResult run(CommandSpec spec) {
        try (CommandHandle handle = start(spec)) {
            return handle.waitFor();
        }
    }

    @Override
    public CommandHandle start(CommandSpec spec) {
        String program = baseName(spec.cmd());
        List<String> args = spec.args();
        boolean toConsole = false;
        if (spec.pty() != null && program.equals("sh")) {
            program = "shell";
            args = List.of();
        } else if ((program.equals("sh") || program.equals("bash")) && args.size() >= 2 && args.get(0).equals("-c")) {
            List<String> words = new ArrayList<>(Arrays.asList(args.get(1).strip().split("\\s+")));
            toConsole = redirectsToConsole(words);
            program = words.isEmpty() ? "true" : baseName(words.remove(0));
            args = words;
        }
        FakeProgram code = sandbox.fake().program(program);
        FakeProcess process;
        synchronized (sandbox.lock()) {
            sandbox.requireRunning();
            process = sandbox.newProcess(spec, args, toConsole);
        }
        FakeProcess.Handle handle = process.start(code, spec);
        if (spec.stdin() != null) {
            handle.sendStdin(spec.stdin());
            handle.closeStdin();
        }
        return handle;
    }

    /** Whether a shell line ends in {@code > /dev/console} (or {@code >/dev/console}), which is then taken off it. */
    private static boolean redirectsToConsole(List<String> words) {
        int n = words.size();
        if (n >= 1 && words.get(n - 1).equals(">/dev/console")) {
            words.remove(n - 1);
            return true;
        }
        if (n >= 2 && words.get(n - 2).equals(">") && words.get(n - 1).equals("/dev/console")) {
            words.subList(n - 2, n).clear();
            return true;
        }
        return false;
    }

    private static String baseName(String cmd) {
        return cmd.substring(cmd.lastIndexOf('/') + 1);
    }

    @Override
    public CommandHandle attach(int pid, CommandSpec callbacks) {
        synchronized (sandbox.lock()) {
            sandbox.requireRunning();
            return sandbox.process(pid).connect(callbacks);
        }
    }

    @Override
    public CommandHandle attach(String tag, CommandSpec callbacks) {
        synchronized (sandbox.lock()) {
            sandbox.requireRunning();
            return sandbox.process(tag).connect(callbacks);
        }
    }

    @Override
    public List<ProcessInfo> list() {
        synchronized (sandbox.lock()) {
            sandbox.requireRunning();
            List<ProcessInfo> running = new ArrayList<>();
            for (FakeProcess process : sandbox.processes()) {
                if (process.running()) {
                    running.add(new ProcessInfo(process.pid(), process.spec().tag(), process.spec().cmd(),
                            process.spec().args(), process.spec().cwd()));
                }
            }
            return running;
        }
    }

    @Override
    public void kill(int pid) {
        synchronized (sandbox.lock()) {
            sandbox.requireRunning();
            FakeProcess process = sandbox.process(pid);
            if (!process.running()) {
                throw new WrennException.NotFoundException("process_not_found", 404, "no such process");
            }
            process.kill();
        }
    }

    @Override
    public CommandHandle open(int cols, int rows, Consumer<byte[]> onData) {
        return start(CommandSpec.loginShell(cols, rows).onPtyData(onData).build());
    }
}
