package io.wrenn.sdk;

import java.util.List;

/**
 * The team's API keys (owners and admins). Only a person's login can manage keys: a client
 * built with an API key gets {@link WrennException.PermissionDeniedException}. Thread-safe.
 */
public interface ApiKeys {

    /**
     * Creates a key.
     *
     * @param name its name
     * @return the key ({@code e2b_…}) and its description; the key is shown only here
     */
    Created create(String name);

    /** The team's live keys. */
    List<ApiKey> list();

    /**
     * Revokes a key: it stops working on the next call.
     *
     * @param id the key's id
     */
    void revoke(String id);

    /**
     * A new key.
     *
     * @param key  the secret ({@code e2b_…}), shown only once
     * @param info its description
     */
    record Created(String key, ApiKey info) {
    }
}
