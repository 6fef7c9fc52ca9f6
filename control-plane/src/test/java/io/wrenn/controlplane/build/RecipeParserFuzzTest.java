package io.wrenn.controlplane.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.template.TemplateStore;
import io.wrenn.fuzz.Fuzz;
import io.wrenn.fuzz.Gen;
import io.wrenn.fuzz.HostileText;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Recipes are text from the outside, one instruction a line. Whatever the lines, the parser gives
 * a recipe that keeps its promises (one valid FROM, COPY sources inside the archive, at most
 * {@link RecipeParser#MAX_STEPS} steps, a text the database can store) or a 400; and the shell
 * word rules it relies on neither fail nor loop on any input.
 */
class RecipeParserFuzzTest {

    private static final List<String> KEYWORDS = List.of("FROM", "RUN", "ENV", "COPY", "USER", "WORKDIR", "START", "READY",
            "from", "Run", "copy", "#", "", "MAINTAINER", "CMD");

    @Test
    void anyRecipeIsValidOr400() {
        Fuzz.check(1000, recipes(), text -> {
            Recipe recipe;
            try {
                recipe = RecipeParser.parse(text);
            } catch (ApiException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                return;
            }
            assertThat(recipe.from()).matches(TemplateStore.NAME);
            assertThat(text).doesNotContain("\0");
            assertThat(recipe.steps()).hasSizeLessThanOrEqualTo(RecipeParser.MAX_STEPS + 2);
            for (Step step : recipe.steps()) {
                if (step instanceof Step.Copy copy) {
                    copy.sources().forEach(source -> assertThat(ArchivePaths.problem(source)).isNull());
                    assertThat(copy.destination()).doesNotContain("\0");
                }
            }
        });
    }

    @Test
    void shellWordsNeitherFailNorLoop() {
        Fuzz.check(1000, lines(), lines(), (line, value) -> {
            ShellWords.split(line);
            ShellWords.splitRaw(line).ifPresent(words -> words.forEach(word -> ShellWords.expand(word,
                    Map.of("A", value, "HOME", "/root", "EMPTY", ""))));
            assertThat(ShellWords.splitRaw(ShellWords.quote(line))).contains(List.of(ShellWords.quote(line)));
        });
    }

    private static Gen<String> recipes() {
        Gen<String> line = random -> Gen.of(KEYWORDS).next(random) + Gen.of(" ", "\t", "", "  ").next(random)
                + lines().next(random);
        Gen<String> separator = Gen.of("\n", "\r\n", "\\\n", "\n\n", "\r");
        Gen<String> body = Gen.combine(line, separator, String::concat).list(12).map(parts -> String.join("", parts));
        return Gen.oneOf(body.map(rest -> "FROM minimal\n" + rest), body, HostileText.any(),
                Gen.ints(490, 520).map(n -> "FROM minimal\n" + "RUN true\n".repeat(n)),
                Gen.ints(1_000, 60_000).map(n -> "FROM minimal\nRUN " + "\\\n".repeat(n) + "true"));
    }

    private static Gen<String> lines() {
        Gen<String> flag = Gen.of("--timeout=", "--timeout=5m", "--timeout=9999999h", "--chown=", "--chmod=0644",
                "--chmod=9", "--retries=", "--retries=1000", "--interval=1ms", "--nope=1", "--", "--timeout=1 --timeout=2");
        return Gen.oneOf(HostileText.any(), HostileText.tricks(),
                Gen.combine(flag, HostileText.tricks(), (f, rest) -> f + " " + rest),
                Gen.of("minimal", "a b", "src/ /dst", "'a b' \"c\" /d", "../x /y", "/abs /y", "KEY=v A='b c'",
                        "${A:-${B:-c}}", "$", "${", "'", "\"", "\\", "x\\"));
    }

    @Test
    void aNulInACommentIsA400() {
        // The whole text is stored with the build: a NUL anywhere in it failed the insert (a 500).
        assertThatThrownBy(() -> RecipeParser.parse("FROM minimal\n# \0\nRUN true"))
                .isInstanceOf(ApiException.class).hasMessageContaining("line 2");
    }
}
