package io.wrenn.controlplane.build;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps a build runs, in order, numbered 1…M: the fixed pre phase (unless skipped), the
 * recipe's body, the fixed post phase (unless skipped), then {@code START} and {@code READY};
 * the snapshot is step M. Only steps of the body and the pre phase may be cached: post, start
 * and ready always run.
 */
record BuildPlan(List<Planned> steps, int bodyEnd) {

    /** One step of the plan: its 1-based number, its phase and the step. */
    record Planned(int number, String phase, Step step) {
    }

    /** The user the pre phase leaves recipes running as, and its home: the base images' user. */
    static final String BUILD_USER = "user";
    static final String BUILD_HOME = "/home/user";

    static BuildPlan of(Recipe recipe, boolean skipPrePost) {
        List<Planned> steps = new ArrayList<>();
        if (!skipPrePost) {
            add(steps, "pre", new Step.Run(0, """
                    if command -v apt-get >/dev/null 2>&1; then
                      apt-get update -q -o Acquire::Languages=none || echo "wrenn: apt-get update failed; package installs may fail" >&2
                    fi""", 300, "root"));
            add(steps, "pre", new Step.User(0, BUILD_USER));
            add(steps, "pre", new Step.Workdir(0, BUILD_HOME));
        }
        List<Step> tail = new ArrayList<>();
        for (Step step : recipe.steps()) {
            if (step instanceof Step.Start || step instanceof Step.Ready) {
                tail.add(step);
            } else {
                add(steps, "recipe", step);
            }
        }
        int bodyEnd = steps.size();
        if (!skipPrePost) {
            add(steps, "post", new Step.Run(0, """
                    if command -v apt-get >/dev/null 2>&1; then apt-get clean; rm -rf /var/lib/apt/lists/*; fi""", 300, "root"));
        }
        add(steps, "post", new Step.Run(0, "rm -rf " + GuestScripts.WORK_DIR, 60, "root"));
        for (Step step : tail) {
            add(steps, "recipe", step);
        }
        return new BuildPlan(List.copyOf(steps), bodyEnd);
    }

    private static void add(List<Planned> steps, String phase, Step step) {
        steps.add(new Planned(steps.size() + 1, phase, step));
    }

    /** Steps plus the snapshot. */
    int total() {
        return steps.size() + 1;
    }

    static int total(Recipe recipe, boolean skipPrePost) {
        return of(recipe, skipPrePost).total();
    }
}
