package io.wrenn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class BenchOptionsTest {

    /** A count of zero leaves no median to print or compare: refused with its name, before any boot. */
    @ParameterizedTest
    @ValueSource(strings = {"--creates", "--execs", "--restores", "--idle"})
    void aCountBelowOneIsRefusedByName(String option) {
        StringWriter err = new StringWriter();
        CommandLine bench = new CommandLine(new BenchCommand());
        bench.setErr(new PrintWriter(err));

        int exit = bench.execute(option, "0");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains(option + " must be at least 1 (it was 0)");
    }
}
