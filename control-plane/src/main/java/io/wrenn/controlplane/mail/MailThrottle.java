package io.wrenn.controlplane.mail;

import io.wrenn.controlplane.db.SlidingHourCount;
import org.jdbi.v3.core.Jdbi;

/**
 * At most a few mails per recipient over a sliding hour, in the database so every control plane
 * counts the same: anyone may type someone else's address into a sign-up form, and Wrenn must
 * not become a way to flood that mailbox. A mail over the limit is dropped, not refused: the
 * sign-up's answer must not depend on it (it would tell which addresses have accounts).
 */
public final class MailThrottle {

    private final SlidingHourCount mails;

    public MailThrottle(Jdbi jdbi, int perHour) {
        this.mails = new SlidingHourCount(jdbi, "mail_events", "recipient", "sent_at", perHour);
    }

    /**
     * How long until a mail to {@code recipient} would go, counting nothing: for a caller who asks
     * for a mail to their own address, where saying "wait" tells them nothing they do not know.
     */
    public java.util.Optional<java.time.Duration> waitBeforeNext(String recipient) {
        return mails.waitBeforeNext(recipient);
    }

    /** Counts a mail to {@code recipient} and says whether it may go. */
    public boolean allow(String recipient) {
        return mails.tryCount(recipient);
    }
}
