package io.wrenn.controlplane.build;

import java.util.List;

/**
 * A parsed recipe: the template it starts from and its steps in order; a {@code START} and a
 * {@code READY}, when present, are the last two (they run after everything else).
 */
public record Recipe(String from, List<Step> steps) {

    public Recipe {
        steps = List.copyOf(steps);
    }
}
