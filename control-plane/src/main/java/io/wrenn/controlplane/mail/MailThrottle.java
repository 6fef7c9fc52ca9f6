package io.wrenn.controlplane.mail;

import org.jdbi.v3.core.Jdbi;

/**
 * At most a few mails per recipient over a sliding hour, in the database so every control plane
 * counts the same: anyone may type someone else's address into a sign-up form, and Wrenn must
 * not become a way to flood that mailbox. A mail over the limit is dropped, not refused: the
 * sign-up's answer must not depend on it (it would tell which addresses have accounts).
 */
public final class MailThrottle {

    private final Jdbi jdbi;
    private final int perHour;

    public MailThrottle(Jdbi jdbi, int perHour) {
        if (perHour < 1) {
            throw new IllegalArgumentException("mails per recipient per hour must be at least 1");
        }
        this.jdbi = jdbi;
        this.perHour = perHour;
    }

    /** Counts a mail to {@code recipient} and says whether it may go. */
    public boolean allow(String recipient) {
        return jdbi.inTransaction(h -> {
            h.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))) AS locked")
                    .bind("key", "mail:" + recipient).mapTo(Integer.class).one();
            h.createUpdate("DELETE FROM mail_events WHERE sent_at < now() - interval '1 hour'").execute();
            int recent = h.createQuery("SELECT count(*) FROM mail_events WHERE recipient = :recipient")
                    .bind("recipient", recipient).mapTo(Integer.class).one();
            if (recent >= perHour) {
                return false;
            }
            h.createUpdate("INSERT INTO mail_events (recipient) VALUES (:recipient)").bind("recipient", recipient).execute();
            return true;
        });
    }
}
