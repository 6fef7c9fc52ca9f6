package io.wrenn.sdk;

import java.util.List;

/**
 * Templates the team can create sandboxes from that it manages itself: snapshots
 * ({@link Sandbox#snapshot}) of its own and the platform's. Thread-safe.
 */
public interface Templates {

    /** The team's snapshot templates and the platform's, by name. */
    List<Template> list();

    /**
     * @param name the template's name
     * @return the team's template of that name, else the platform's
     * @throws WrennException.NotFoundException when there is none ({@code template_not_found})
     */
    Template get(String name);

    /**
     * Deletes a snapshot template; refused ({@code invalid_state}) while a sandbox made from it
     * is not stopped.
     *
     * @param name the template's name
     */
    void delete(String name);
}
