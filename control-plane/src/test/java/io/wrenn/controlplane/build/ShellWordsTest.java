package io.wrenn.controlplane.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShellWordsTest {

    private static final Map<String, String> ENV = Map.of("HOME", "/home/user", "PATH", "/usr/bin:/bin", "EMPTY", "");

    @Test
    void expandsAsShDoes() {
        assertThat(ShellWords.expand("$HOME/bin", ENV)).isEqualTo("/home/user/bin");
        assertThat(ShellWords.expand("${HOME}x", ENV)).isEqualTo("/home/userx");
        assertThat(ShellWords.expand("$PATH:/opt/bin", ENV)).isEqualTo("/usr/bin:/bin:/opt/bin");
        assertThat(ShellWords.expand("\"a $HOME b\"", ENV)).isEqualTo("a /home/user b");
        assertThat(ShellWords.expand("'$HOME'", ENV)).isEqualTo("$HOME");
        assertThat(ShellWords.expand("\\$HOME", ENV)).isEqualTo("$HOME");
        assertThat(ShellWords.expand("$UNSET-x", ENV)).isEqualTo("-x");
        assertThat(ShellWords.expand("${UNSET:-fallback}", ENV)).isEqualTo("fallback");
        assertThat(ShellWords.expand("${EMPTY:-$HOME}", ENV)).isEqualTo("/home/user");
        assertThat(ShellWords.expand("cost $5", ENV)).isEqualTo("cost ");
        assertThat(ShellWords.expand("a$", ENV)).isEqualTo("a$");
        assertThat(ShellWords.expand("$(rm -rf /)", ENV)).isEqualTo("$(rm -rf /)");
        assertThat(ShellWords.expand("\"say \\\"hi\\\"\"", ENV)).isEqualTo("say \"hi\"");
    }

    @Test
    void splitsOnBlanksOutsideQuotes() {
        assertThat(ShellWords.splitRaw("A=\"x y\" B='p q' C=z")).contains(List.of("A=\"x y\"", "B='p q'", "C=z"));
        assertThat(ShellWords.split("'my file' other\\ one")).contains(List.of("my file", "other one"));
        assertThat(ShellWords.splitRaw("A='open")).isEmpty();
    }

    @Test
    void quotesAnythingForSh() {
        assertThat(ShellWords.quote("it's")).isEqualTo("'it'\\''s'");
    }
}
