package io.wrenn.controlplane.account;

import io.wrenn.controlplane.ids.WireId;
import io.wrenn.controlplane.team.TeamStore;
import java.util.LinkedHashMap;
import java.util.Map;

/** People, their teams and sessions as the API shows them. */
public final class AccountViews {

    private AccountViews() {
    }

    /** The answer of every call that issues a token. */
    public static Map<String, Object> session(AccountService.Session session) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("token", session.token().token());
        view.put("token_type", "Bearer");
        view.put("expires_at", session.token().expiresAt());
        view.put("user", user(session.user()));
        view.put("team", session.team().map(AccountViews::team).orElse(null));
        return view;
    }

    public static Map<String, Object> user(UserStore.User user) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", WireId.USER.encode(user.id()));
        view.put("email", user.email());
        view.put("name", user.name());
        view.put("is_admin", user.admin());
        view.put("email_verified", user.emailVerified());
        view.put("created_at", user.createdAt());
        return view;
    }

    public static Map<String, Object> team(TeamStore.Membership team) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", WireId.TEAM.encode(team.teamId()));
        view.put("name", team.teamName());
        view.put("role", team.role().wire());
        return view;
    }
}
