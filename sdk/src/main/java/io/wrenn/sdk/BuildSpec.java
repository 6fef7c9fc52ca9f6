package io.wrenn.sdk;

import java.util.Objects;

/**
 * A template build: the snapshot template {@code name} made from a recipe ({@code FROM},
 * {@code RUN}, {@code ENV}, {@code COPY}, {@code USER}, {@code WORKDIR}, {@code START},
 * {@code READY}, one per line), with the files its {@code COPY} steps read from an archive
 * uploaded by {@link Builds#uploadArchive}. Immutable; made with {@link #builder(String, String)}:
 *
 * <pre>{@code
 * BuildSpec spec = BuildSpec.builder("py-ready", "FROM debian\nRUN pip install numpy").noCache(true).build();
 * }</pre>
 *
 * @param name        the template's name ({@code [a-z0-9][a-z0-9._-]{0,62}})
 * @param recipe      the recipe's text
 * @param archive     the SHA-256 an archive upload answered, or null
 * @param vcpus       the builder's (and template's) vCPUs, or null for the default
 * @param memoryMb    its memory in MiB, or null
 * @param diskSizeMb  its disk in MiB, or null (5120)
 * @param skipPrePost true to leave out the fixed first and last phases (apt update, caches removed)
 * @param noCache     true to run every step, ignoring cached layers
 */
public record BuildSpec(String name, String recipe, String archive, Integer vcpus, Integer memoryMb,
                        Integer diskSizeMb, boolean skipPrePost, boolean noCache) {
    public BuildSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(recipe, "recipe");
    }

    /**
     * @param name   the template to make
     * @param recipe the recipe's text
     * @return a builder of that build
     */
    public static Builder builder(String name, String recipe) {
        return new Builder(name, recipe);
    }

    /** Builds a {@link BuildSpec}; not thread-safe. */
    public static final class Builder {
        private final String name;
        private final String recipe;
        private String archive;
        private Integer vcpus;
        private Integer memoryMb;
        private Integer diskSizeMb;
        private boolean skipPrePost;
        private boolean noCache;

        private Builder(String name, String recipe) {
            this.name = Objects.requireNonNull(name, "name");
            this.recipe = Objects.requireNonNull(recipe, "recipe");
        }

        /** The archive {@code COPY} reads (the hash {@link Builds#uploadArchive} answered). */
        public Builder archive(String sha256) {
            this.archive = sha256;
            return this;
        }

        /** The builder's vCPUs. */
        public Builder vcpus(int vcpus) {
            this.vcpus = vcpus;
            return this;
        }

        /** The builder's memory in MiB. */
        public Builder memoryMb(int memoryMb) {
            this.memoryMb = memoryMb;
            return this;
        }

        /** The builder's disk in MiB. */
        public Builder diskSizeMb(int diskSizeMb) {
            this.diskSizeMb = diskSizeMb;
            return this;
        }

        /** Leave out the fixed first and last phases. */
        public Builder skipPrePost(boolean skip) {
            this.skipPrePost = skip;
            return this;
        }

        /** Run every step, ignoring cached layers. */
        public Builder noCache(boolean noCache) {
            this.noCache = noCache;
            return this;
        }

        /** The spec. */
        public BuildSpec build() {
            return new BuildSpec(name, recipe, archive, vcpus, memoryMb, diskSizeMb, skipPrePost, noCache);
        }
    }
}
