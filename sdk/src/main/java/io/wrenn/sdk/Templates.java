package io.wrenn.sdk;

import java.util.List;

/**
 * Templates made from sandboxes, the team's own and the platform's: snapshots
 * ({@link Sandbox#snapshot}, restored) and images ({@link Sandbox#saveImage}, booted cold).
 * Base images such as {@code debian} are not listed. Thread-safe.
 */
public interface Templates {

    /** The team's templates made from sandboxes and the platform's, by name. */
    List<Template> list();

    /**
     * @param name the template's name
     * @return the team's template of that name, else the platform's
     * @throws WrennException.NotFoundException when there is none ({@code template_not_found})
     */
    Template get(String name);

    /**
     * Deletes a template made from a sandbox; refused ({@code invalid_state}) while a sandbox made from it
     * is not stopped.
     *
     * @param name the template's name
     */
    void delete(String name);
}
