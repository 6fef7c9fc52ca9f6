package io.wrenn.hostagent.sandbox;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps to take back when a multi-step setup fails: registered as each step succeeds, run in
 * reverse order. A failing undo step is logged and does not stop the others.
 */
final class Undo {

    private static final Logger LOG = LoggerFactory.getLogger(Undo.class);

    private final Deque<Step> steps = new ArrayDeque<>();

    interface Step {
        void run() throws Exception;
    }

    void add(String what, Step step) {
        steps.push(new Named(what, step));
    }

    void runAll() {
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.run();
            } catch (Exception e) {
                LOG.warn("undo step '{}' failed: {}", step, e.toString());
            }
        }
    }

    private record Named(String what, Step step) implements Step {
        @Override
        public void run() throws Exception {
            step.run();
        }

        @Override
        public String toString() {
            return what;
        }
    }
}
