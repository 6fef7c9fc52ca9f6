package io.wrenn.controlplane.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.Jsons;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeParserTest {

    @Test
    void everyStepKindIsReadWithItsLine() {
        Recipe recipe = RecipeParser.parse("""
                # a comment
                FROM debian
                run --timeout=5m apt-get install -y \\
                    jq
                ENV GREETING="hello world" PATH=$PATH:/opt/bin
                COPY --chown=app --chmod=0755 bin/tool ./tool /opt/
                USER app
                WORKDIR /srv
                READY --interval=1s --timeout=3s --retries=5 curl -sf localhost:8000
                START python3 -m http.server 8000
                """);
        assertThat(recipe.from()).isEqualTo("debian");
        List<Step> steps = recipe.steps();
        assertThat(steps).hasSize(7);
        assertThat(steps.get(0)).isEqualTo(new Step.Run(3, "apt-get install -y \n    jq", 300, null));
        assertThat(((Step.Env) steps.get(1)).vars()).containsExactly(
                new Step.Var("GREETING", "\"hello world\""), new Step.Var("PATH", "$PATH:/opt/bin"));
        assertThat(steps.get(2)).isEqualTo(new Step.Copy(6, List.of("bin/tool", "./tool"), "/opt/", null, "app", "0755"));
        assertThat(steps.get(3)).isEqualTo(new Step.User(7, "app"));
        assertThat(steps.get(4)).isEqualTo(new Step.Workdir(8, "/srv"));
        // START and READY run last, START first, whatever their order in the text.
        assertThat(steps.get(5)).isEqualTo(new Step.Start(10, "python3 -m http.server 8000"));
        assertThat(steps.get(6)).isEqualTo(new Step.Ready(9, "curl -sf localhost:8000", 1, 3, 5));
    }

    @Test
    void stepsSurviveTheirJsonFormInOrder() {
        // ENV's order matters (Z=1 then A=$Z): it must not come back sorted.
        Recipe recipe = RecipeParser.parse("FROM minimal\nENV Z=1 A=$Z\nRUN true\nSTART sleep 100\nREADY true");
        String json = Jsons.mapper().writeValueAsString(recipe);
        assertThat(Jsons.mapper().readValue(json, Recipe.class)).isEqualTo(recipe);
    }

    @Test
    void mistakesNameTheirLine() {
        assertError("RUN true", "recipe line 1: the first instruction must be FROM");
        assertError("FROM debian\nFROM minimal", "recipe line 2: FROM may appear only once");
        assertError("FROM debian\n\nRUN", "recipe line 3: RUN needs a command");
        assertError("FROM debian\nRUN --timeout=2d true", "recipe line 2: --timeout needs a duration");
        assertError("FROM debian\nRUN --timeout=2h true", "recipe line 2: --timeout must be from 1 s to 3600 s");
        assertError("FROM debian\nRUN --user=root true", "recipe line 2: unknown flag");
        assertError("FROM debian\nENV 1A=x", "recipe line 2: ENV needs KEY=VALUE");
        assertError("FROM debian\nENV A='open", "recipe line 2: unbalanced quotes");
        assertError("FROM debian\nCOPY ../etc/passwd /x", "recipe line 2: COPY source '../etc/passwd' leaves the archive");
        assertError("FROM debian\nCOPY /etc/passwd /x", "recipe line 2: COPY source '/etc/passwd' is absolute");
        assertError("FROM debian\nCOPY onlyone", "recipe line 2: COPY needs a source");
        assertError("FROM debian\nCOPY --chmod=999 a b", "recipe line 2: --chmod needs an octal mode");
        assertError("FROM debian\nUSER Root!", "recipe line 2: USER needs a user name");
        assertError("FROM debian\nSTART a\nSTART b", "recipe line 3: START may appear only once");
        assertError("FROM debian\nREADY --retries=0 true", "recipe line 2: --retries must be a whole number");
        assertError("FROM debian\nEXPOSE 80", "recipe line 2: unknown instruction 'EXPOSE'");
        assertError("FROM debian\nRUN echo \u0007", "recipe line 2: control characters");
        assertError("FROM ../x", "recipe line 1: FROM needs one template name");
        assertError("# nothing\n", "the recipe has no FROM");
        assertError("  ", "the recipe is empty");
    }

    private static void assertError(String text, String message) {
        assertThatThrownBy(() -> RecipeParser.parse(text))
                .isInstanceOf(ApiException.class)
                .hasMessageStartingWith(message);
    }
}
