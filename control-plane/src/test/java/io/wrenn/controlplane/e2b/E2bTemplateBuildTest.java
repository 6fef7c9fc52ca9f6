package io.wrenn.controlplane.e2b;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wrenn.controlplane.build.Step;
import io.wrenn.controlplane.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** E2B's build request as a recipe: what the SDK's Template builder sends for each step kind. */
class E2bTemplateBuildTest {

    private static final String HASH = "a".repeat(64);

    private static E2bTemplateBuild parse(String json) {
        return E2bTemplateBuild.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyStepKindBecomesARecipeStepRunAsUserInItsHome() {
        E2bTemplateBuild build = parse("""
                {"fromImage": "e2bdev/base", "force": true, "startCmd": "npm start", "readyCmd": "sleep 2",
                 "steps": [
                   {"type": "ENV", "args": ["A", "x \\"y\\" $HOME"], "force": false},
                   {"type": "COPY", "args": ["app", "/srv/app", "root", "0644"], "filesHash": "%s"},
                   {"type": "RUN", "args": ["echo hi", "root"]},
                   {"type": "RUN", "args": ["echo as-current"]},
                   {"type": "WORKDIR", "args": ["/srv/app"]},
                   {"type": "USER", "args": ["builder"]}
                 ]}""".formatted(HASH));
        assertThat(build.recipe().from()).isEqualTo("base");
        assertThat(build.noCache()).isTrue();
        List<Step> steps = build.recipe().steps();
        assertThat(steps.get(0)).isEqualTo(new Step.User(0, "user"));
        assertThat(steps.get(1)).isEqualTo(new Step.Workdir(0, "/home/user"));
        assertThat(((Step.Env) steps.get(2)).vars()).containsExactly(new Step.Var("A", "\"x \\\"y\\\" $HOME\""));
        assertThat(steps.get(3)).isEqualTo(new Step.Copy(2, List.of("app"), "/srv/app", HASH, "root", "0644"));
        assertThat(steps.get(4)).isEqualTo(new Step.Run(3, "echo hi", 3600, "root"));
        assertThat(steps.get(5)).isEqualTo(new Step.Run(4, "echo as-current", 3600, null));
        assertThat(steps.get(6)).isEqualTo(new Step.Workdir(5, "/srv/app"));
        assertThat(steps.get(7)).isEqualTo(new Step.User(6, "builder"));
        assertThat(steps.get(8)).isEqualTo(new Step.Start(0, "npm start"));
        assertThat(steps.get(9)).isInstanceOf(Step.Ready.class);
        assertThat(build.text()).startsWith("FROM base\nENV A=");
    }

    @Test
    void fromTemplateUsesThatTemplateAndTheBaseImageIsTheBaseTemplate() {
        assertThat(parse("{\"fromTemplate\": \"my-snap\"}").recipe().from()).isEqualTo("my-snap");
        assertThat(parse("{}").recipe().from()).isEqualTo("base");
    }

    @Test
    void whatNeedsARegistryOrIsMalformedIsA400ThatSaysWhy() {
        refused("{\"fromImage\": \"python:3.12\"}", "fromImage('python:3.12') needs a container registry");
        refused("{\"fromImage\": \"x\", \"fromImageRegistry\": {\"type\": \"aws\"}}", "Wrenn builds templates from templates, not from container registries");
        refused("{\"steps\": [{\"type\": \"COPY\", \"args\": [\"a\", \"/a\"]}]}", "step 1: COPY needs the 'filesHash'");
        refused("{\"steps\": [{\"type\": \"COPY\", \"args\": [\"../a\", \"/a\"], \"filesHash\": \"" + HASH + "\"}]}",
                "step 1: COPY source '../a' leaves the archive");
        refused("{\"steps\": [{\"type\": \"ENV\", \"args\": [\"A\"]}]}", "step 1: ENV needs pairs");
        refused("{\"steps\": [{\"type\": \"USER\", \"args\": [\"Bad User\"]}]}", "step 1: 'Bad User' is not a user name");
        refused("{\"steps\": [{\"type\": \"EXPOSE\", \"args\": [\"80\"]}]}", "step 1: 'EXPOSE' is not a step Wrenn builds");
        refused("{\"steps\": {}}", "'steps' must be an array");
        refused("{\"surprise\": 1}", "unknown field 'surprise'");
    }

    private static void refused(String json, String message) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(ApiException.class).hasMessageStartingWith(message);
    }
}
