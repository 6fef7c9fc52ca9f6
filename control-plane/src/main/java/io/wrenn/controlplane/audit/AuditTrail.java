package io.wrenn.controlplane.audit;

import io.javalin.http.Context;
import io.wrenn.controlplane.ids.WireId;
import java.util.UUID;

/**
 * What a handler tells the audit log about its request, beyond what the route and the caller
 * already say: the resource it created or acted on, the team it acted for when that is not the
 * caller's, and the person when the request had no credentials (sign-up, login).
 */
public final class AuditTrail {

    static final String RESOURCE = "wrenn.audit.resource";
    static final String TEAM = "wrenn.audit.team";
    static final String ACTOR = "wrenn.audit.actor";

    private AuditTrail() {
    }

    /** The resource the request acted on, in its wire form. */
    public static void resource(Context ctx, WireId kind, UUID id) {
        ctx.attribute(RESOURCE, new Resource(kind.name().toLowerCase(java.util.Locale.ROOT), kind.encode(id)));
    }

    /** A resource that is known by name rather than id (a template). */
    public static void resource(Context ctx, String type, String name) {
        ctx.attribute(RESOURCE, new Resource(type, name));
    }

    public static void team(Context ctx, UUID teamId) {
        ctx.attribute(TEAM, teamId);
    }

    public static void actor(Context ctx, UUID userId) {
        ctx.attribute(ACTOR, userId);
    }

    record Resource(String type, String id) {
    }
}
