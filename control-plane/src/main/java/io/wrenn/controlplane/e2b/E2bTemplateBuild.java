package io.wrenn.controlplane.e2b;

import io.wrenn.controlplane.build.BuildFiles;
import io.wrenn.controlplane.build.Recipe;
import io.wrenn.controlplane.build.RecipeParser;
import io.wrenn.controlplane.build.Step;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.template.TemplateStore;
import java.util.ArrayList;

import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * E2B's build request ({@code POST /v2/templates/{id}/builds/{build}}: a base and steps) read
 * as a Wrenn recipe. Every step kind that needs no container registry maps to a recipe step;
 * a base image other than E2B's own base is refused with a 400 that says why. Steps start as
 * E2B's do: as {@code user} in {@code /home/user}.
 *
 * @param text    the request as recipe text, for the build's record
 * @param noCache E2B's {@code force}
 */
record E2bTemplateBuild(Recipe recipe, String text, boolean noCache) {

    /** The image E2B's {@code fromBaseImage()} names: its {@code base} template, which Wrenn has too. */
    static final String E2B_BASE_IMAGE = "e2bdev/base";
    static final String BASE_TEMPLATE = "base";
    private static final Set<String> FIELDS = Set.of("force", "fromImage", "fromImageRegistry", "fromTemplate", "readyCmd",
            "startCmd", "steps");
    private static final int READY_INTERVAL_S = 1;
    private static final int READY_TIMEOUT_S = 30;
    private static final int READY_RETRIES = 300;

    static E2bTemplateBuild parse(byte[] body) {
        JsonBody json = JsonBody.parse(body, FIELDS);
        if (json.has("fromImageRegistry")) {
            throw ApiException.invalid("Wrenn builds templates from templates, not from container registries: "
                    + "use fromTemplate(...) or fromBaseImage()");
        }
        String from;
        if (json.string("fromTemplate").isPresent()) {
            from = json.string("fromTemplate").get();
        } else {
            String image = json.string("fromImage").orElse(E2B_BASE_IMAGE);
            if (!image.equals(E2B_BASE_IMAGE)) {
                throw ApiException.invalid("fromImage('" + shown(image) + "') needs a container registry, which Wrenn does "
                        + "not use: build from a template (fromTemplate(...)) or E2B's base (fromBaseImage())");
            }
            from = BASE_TEMPLATE;
        }
        if (!TemplateStore.NAME.matcher(from).matches()) {
            throw ApiException.invalid("fromTemplate is not a template name");
        }
        StringBuilder text = new StringBuilder("FROM " + from + "\n");
        List<Step> steps = new ArrayList<>();
        steps.add(new Step.User(0, "user"));
        steps.add(new Step.Workdir(0, "/home/user"));
        JsonNode list = json.node("steps");
        int index = 0;
        if (list != null) {
            if (!list.isArray()) {
                throw ApiException.invalid("'steps' must be an array");
            }
            for (JsonNode node : list) {
                index++;
                Step step = step(index, node);
                steps.add(step);
                text.append(step.describe()).append('\n');
            }
        }
        String start = json.string("startCmd").filter(s -> !s.isBlank()).orElse(null);
        String ready = json.string("readyCmd").filter(s -> !s.isBlank()).orElse(null);
        if (start != null) {
            steps.add(new Step.Start(0, start));
            text.append("START ").append(start).append('\n');
        }
        if (ready != null) {
            steps.add(new Step.Ready(0, ready, READY_INTERVAL_S, READY_TIMEOUT_S, READY_RETRIES));
            text.append("READY ").append(ready).append('\n');
        }
        if (steps.size() > RecipeParser.MAX_STEPS) {
            throw ApiException.invalid("a template has at most " + RecipeParser.MAX_STEPS + " steps");
        }
        return new E2bTemplateBuild(new Recipe(from, steps), text.toString(), json.bool("force", false));
    }

    private static Step step(int index, JsonNode node) {
        if (!node.isObject() || !node.path("type").isString()) {
            throw invalid(index, "needs a 'type'");
        }
        List<String> args = new ArrayList<>();
        for (JsonNode arg : node.path("args")) {
            if (!arg.isString()) {
                throw invalid(index, "has an argument that is not a string");
            }
            args.add(arg.asString());
        }
        String type = node.get("type").asString();
        return switch (type) {
            case "RUN" -> {
                String user = args.size() > 1 && !args.get(1).isEmpty() ? user(index, args.get(1)) : null;
                yield new Step.Run(index, require(index, args, 0), RecipeParser.MAX_RUN_TIMEOUT_S, user);
            }
            case "ENV" -> {
                if (args.isEmpty() || args.size() % 2 != 0) {
                    throw invalid(index, "ENV needs pairs of name and value");
                }
                List<Step.Var> vars = new ArrayList<>();
                for (int i = 0; i < args.size(); i += 2) {
                    if (!RecipeParser.ENV_NAME.matcher(args.get(i)).matches()) {
                        throw invalid(index, "ENV name '" + shown(args.get(i)) + "' is not valid");
                    }
                    // Docker's (and so E2B's) ENV expands $VAR in values: as a double-quoted word.
                    vars.add(new Step.Var(args.get(i), "\"" + args.get(i + 1).replace("\\", "\\\\").replace("\"", "\\\"")
                            .replace("`", "\\`") + "\""));
                }
                yield new Step.Env(index, vars);
            }
            case "COPY" -> {
                String source = require(index, args, 0);
                String destination = require(index, args, 1);
                String problem = RecipeParser.copySourceProblem(source);
                if (problem != null) {
                    throw invalid(index, "COPY source '" + shown(source) + "' " + problem);
                }
                String hash = node.path("filesHash").isString() ? node.get("filesHash").asString() : "";
                if (!BuildFiles.SHA256.matcher(hash).matches()) {
                    throw invalid(index, "COPY needs the 'filesHash' of its upload");
                }
                String user = args.size() > 2 && !args.get(2).isEmpty() ? user(index, args.get(2)) : null;
                String mode = args.size() > 3 && !args.get(3).isEmpty() ? args.get(3) : null;
                if (mode != null && !mode.matches("0?[0-7]{3,4}")) {
                    throw invalid(index, "COPY mode must be octal");
                }
                yield new Step.Copy(index, List.of(source), destination, hash, user, mode);
            }
            case "WORKDIR" -> new Step.Workdir(index, require(index, args, 0));
            case "USER" -> new Step.User(index, user(index, require(index, args, 0)));
            default -> throw invalid(index, "'" + shown(type) + "' is not a step Wrenn builds (RUN, ENV, COPY, WORKDIR, USER)");
        };
    }

    private static String user(int index, String name) {
        if (!RecipeParser.USER_NAME.matcher(name).matches()) {
            throw invalid(index, "'" + shown(name) + "' is not a user name");
        }
        return name;
    }

    private static String require(int index, List<String> args, int at) {
        if (args.size() <= at || args.get(at).isEmpty()) {
            throw invalid(index, "misses an argument");
        }
        return args.get(at);
    }

    private static ApiException invalid(int index, String message) {
        return ApiException.invalid("step " + index + ": " + message);
    }

    private static String shown(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }
}
