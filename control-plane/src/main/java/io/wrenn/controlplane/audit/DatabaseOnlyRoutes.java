package io.wrenn.controlplane.audit;

import io.wrenn.controlplane.http.Route;
import java.util.Set;

/**
 * The audited routes whose whole change is rows in the database (no host call, nothing that must
 * stay committed when the call fails), so each runs in one transaction with its audit entry.
 * Left out on purpose: login and password change (their failed attempts must stay counted when
 * they answer 401 or 403), team
 * delete (it stops the team's sandboxes on their hosts), and every sandbox, snapshot and build route.
 * Those have their entry committed as pending before they run instead ({@link AuditRecorder}).
 */
final class DatabaseOnlyRoutes {

    private static final Set<String> ACTIONS = Set.of(
            "POST /v1/auth/signup",
            "POST /v1/auth/switch-team",
            "POST /v1/api-keys",
            "DELETE /v1/api-keys/{id}",
            "POST /v1/teams",
            "PATCH /v1/teams/{id}",
            "POST /v1/teams/{id}/leave",
            "POST /v1/teams/{id}/invitations",
            "DELETE /v1/teams/{id}/invitations/{invitation_id}",
            "POST /v1/invitations/accept",
            "PATCH /v1/teams/{id}/members/{user_id}",
            "DELETE /v1/teams/{id}/members/{user_id}",
            "POST /v1/admin/users/{id}/disable",
            "POST /v1/admin/users/{id}/enable");

    private DatabaseOnlyRoutes() {
    }

    static boolean includes(Route route) {
        return route.audited() && ACTIONS.contains(route.method() + " " + route.path());
    }
}
