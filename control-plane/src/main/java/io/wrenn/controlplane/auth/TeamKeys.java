package io.wrenn.controlplane.auth;

import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Creates a team with one API key; used by operators and tests until teams get an API. */
public final class TeamKeys {

    private final Jdbi jdbi;

    public TeamKeys(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Creates a team named {@code name} and returns a fresh API key for it. */
    public String createTeamWithKey(String name) {
        String key = ApiKeys.generate();
        jdbi.useTransaction(h -> {
            UUID teamId = UUID.randomUUID();
            h.createUpdate("INSERT INTO teams (id, name) VALUES (:id, :name)").bind("id", teamId).bind("name", name).execute();
            h.createUpdate("INSERT INTO api_keys (id, team_id, name, prefix, hash) VALUES (:id, :team, :name, :prefix, :hash)")
                    .bind("id", UUID.randomUUID())
                    .bind("team", teamId)
                    .bind("name", name)
                    .bind("prefix", ApiKeys.displayPrefix(key))
                    .bind("hash", ApiKeys.hash(key))
                    .execute();
        });
        return key;
    }
}
