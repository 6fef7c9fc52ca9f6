package io.wrenn.sdk;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Template builds of the team: a recipe run in a builder sandbox and snapshotted into a
 * template, with its log live. Thread-safe.
 *
 * <pre>{@code
 * BuildInfo done = wrenn.builds().build(BuildSpec.builder("py-ready", recipe).build(),
 *         line -> System.out.println(line.line()));
 * if (!done.succeeded()) throw new IllegalStateException(done.reason());
 * }</pre>
 */
public interface Builds {

    /**
     * Uploads the files a build's {@code COPY} steps read: a tar, tar.gz or zip file, streamed.
     *
     * @param archive the local archive
     * @return its SHA-256, for {@link BuildSpec.Builder#archive}
     */
    String uploadArchive(Path archive);

    /**
     * Uploads a root filesystem tarball ({@code docker export}'s tar, or tar.gz), streamed, and
     * queues its import: the build that makes the image template {@code name} of it (cold boots,
     * any size). Follow it with {@link #follow}.
     *
     * @param name       the template to make
     * @param tarball    the local tarball
     * @param diskSizeMb the builder's disk and the template's size in MiB, or null (5120)
     * @return the queued build
     */
    BuildInfo importRootFilesystem(String name, Path tarball, Integer diskSizeMb);

    /** Queues a build and answers at once. */
    BuildInfo start(BuildSpec spec);

    /**
     * Follows a build's log from its start until it ends, reconnecting if the connection breaks.
     *
     * @param id    the build's id
     * @param onLog receives each line, in order, once
     * @return the build as it ended
     */
    BuildInfo follow(String id, Consumer<BuildLogLine> onLog);

    /** Queues a build and follows it until it ends: {@link #start} then {@link #follow}. */
    BuildInfo build(BuildSpec spec, Consumer<BuildLogLine> onLog);

    /** The build now. */
    BuildInfo get(String id);

    /** Cancels a queued or running build; its log is kept. */
    BuildInfo cancel(String id);

    /** The team's builds, newest first. */
    List<BuildInfo> list();
}
