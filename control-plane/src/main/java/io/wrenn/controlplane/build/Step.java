package io.wrenn.controlplane.build;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * One step of a recipe, with the line it came from (0 for steps Wrenn adds: the fixed pre and
 * post phases, E2B's steps). Stored as JSON in {@code template_builds.steps}; the layer cache
 * keys on a step's JSON without its line, so moving a step in the text changes nothing.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Step.Run.class, name = "run"),
        @JsonSubTypes.Type(value = Step.Env.class, name = "env"),
        @JsonSubTypes.Type(value = Step.Copy.class, name = "copy"),
        @JsonSubTypes.Type(value = Step.User.class, name = "user"),
        @JsonSubTypes.Type(value = Step.Workdir.class, name = "workdir"),
        @JsonSubTypes.Type(value = Step.Start.class, name = "start"),
        @JsonSubTypes.Type(value = Step.Ready.class, name = "ready"),
        @JsonSubTypes.Type(value = Step.Import.class, name = "import"),
})
public sealed interface Step {

    int line();

    /** The step as a person would write it, for logs and progress. */
    String describe();

    /** Whether the step changes the builder's disk (and so may end a cached layer). */
    default boolean changesDisk() {
        return true;
    }

    /**
     * {@code RUN}: a shell command; fails the build on a non-zero exit or past its timeout.
     *
     * @param user the user to run it as for this step only (E2B's {@code runCmd(…, {user})}); null = the current one
     */
    record Run(int line, String command, int timeoutS, String user) implements Step {
        public String describe() {
            return "RUN " + command;
        }
    }

    /**
     * {@code ENV}: variables set for every later step and for the template's sandboxes; values
     * are expanded at build time, in order (a later one may use an earlier one), so they are a
     * list, not a map (JSON maps may come back sorted).
     */
    record Env(int line, List<Var> vars) implements Step {
        public Env {
            vars = List.copyOf(vars);
        }

        public String describe() {
            StringBuilder text = new StringBuilder("ENV");
            vars.forEach(v -> text.append(' ').append(v.name()).append('=').append(v.value()));
            return text.toString();
        }

        public boolean changesDisk() {
            return false;
        }
    }

    /**
     * {@code COPY}: paths of an uploaded archive into the guest, owned by the step's user.
     *
     * @param archive SHA-256 of the archive (the build's own, or E2B's per-step upload)
     * @param user    owner for this step only; null = the current user
     * @param mode    octal mode for every copied file; null = as in the archive
     */
    record Copy(int line, List<String> sources, String destination, String archive, String user, String mode) implements Step {
        public String describe() {
            return "COPY " + String.join(" ", sources) + " " + destination;
        }
    }

    /** {@code USER}: later steps run as this user, created (with passwordless sudo) if missing. */
    record User(int line, String name) implements Step {
        public String describe() {
            return "USER " + name;
        }
    }

    /** {@code WORKDIR}: later steps run here; created if missing. */
    record Workdir(int line, String path) implements Step {
        public String describe() {
            return "WORKDIR " + path;
        }
    }

    /** One variable of an {@code ENV} step, its value as written (quotes kept). */
    record Var(String name, String value) {
    }

    /** {@code START}: a process left running in the template's memory snapshot. */
    record Start(int line, String command) implements Step {
        public String describe() {
            return "START " + command;
        }
    }

    /** {@code READY}: run until it succeeds before the snapshot: every {@code intervalS}, each try at most {@code timeoutS}, at most {@code retries} tries. */
    record Ready(int line, String command, int intervalS, int timeoutS, int retries) implements Step {
        public String describe() {
            return "READY " + command;
        }

        public boolean changesDisk() {
            return false;
        }
    }

    /**
     * A root filesystem tarball (no recipe line makes it: {@code POST /v1/template-imports} does)
     * becomes the builder's whole disk: unpacked in the builder, given Wrenn's boot chain, JRE and
     * envd, then moved into the builder's root in place of its own files. The build then ends
     * with an image of the builder's disk, not a snapshot.
     *
     * @param archive SHA-256 of the normalised root filesystem tar
     */
    record Import(int line, String archive) implements Step {
        public String describe() {
            return "IMPORT root filesystem " + archive.substring(0, Math.min(12, archive.length()));
        }
    }
}
