package io.wrenn.sdk;

import java.time.Instant;

/**
 * An API key of the team, without the key itself.
 *
 * @param id         {@code key-…}
 * @param name       its name
 * @param prefix     its first characters, to tell keys apart
 * @param createdBy  email of the person who created it, or null
 * @param createdAt  when it was created
 * @param lastUsedAt when it was last used (updated at most once a minute), or null
 */
public record ApiKey(String id, String name, String prefix, String createdBy, Instant createdAt, Instant lastUsedAt) {
}
