package io.wrenn.controlplane.account;

import io.wrenn.controlplane.mail.Mail;
import io.wrenn.controlplane.mail.MailSettings;
import io.wrenn.controlplane.mail.MailThrottle;
import io.wrenn.controlplane.mail.Outbox;
import java.time.Duration;
import java.util.Optional;

/**
 * The mails about a person's account. Each is queued, never sent on the caller's thread, so a
 * sign-up for a new address and one for a taken address take the same time to answer.
 */
public final class AccountMails {

    /** The dashboard page that verifies an address; the token follows in the fragment, which browsers never send. */
    public static final String VERIFY_PAGE = "/dashboard/verify-email#token=";

    private final MailSettings settings;
    private final Outbox outbox;
    /** The outbox's own throttle: read here only to tell a person asking for their own mail how long to wait. */
    private final MailThrottle throttle;

    public AccountMails(MailSettings settings, Outbox outbox, MailThrottle throttle) {
        this.settings = settings;
        this.outbox = outbox;
        this.throttle = throttle;
    }

    /** How long until the outbox would send another mail to {@code email}; empty: now. */
    public Optional<Duration> waitBeforeNext(String email) {
        return throttle.waitBeforeNext(email);
    }

    /** The link that makes a waiting sign-up an account, or verifies an account's address. */
    public void verification(String email, String token, boolean signup) {
        String link = settings.link(VERIFY_PAGE + token);
        String text = signup
                ? """
                  Someone, hopefully you, signed up for Wrenn at %s with this address.

                  To confirm the address and finish signing up, open this link within %d hours:

                  %s

                  If it was not you, ignore this mail: no account is made until the link is opened.
                  """.formatted(settings.publicUrl(), EmailVerifications.LIFETIME_HOURS, link)
                : """
                  Someone, hopefully you, asked Wrenn at %s to verify this address.

                  To verify it, open this link within %d hours:

                  %s

                  If it was not you, ignore this mail.
                  """.formatted(settings.publicUrl(), EmailVerifications.LIFETIME_HOURS, link);
        outbox.send(new Mail(email, signup ? "Confirm your Wrenn sign-up" : "Verify your address for Wrenn", text));
    }

    /** Told to the owner of an address that already has an account, instead of a second account. */
    public void alreadyRegistered(String email) {
        String text = """
                Someone, hopefully you, tried to sign up for Wrenn at %s with this address, but it
                already has an account.

                If it was you, log in at %s with your password or the login provider you used.
                If you forgot the password, ask an administrator of this Wrenn for help.

                If it was not you, ignore this mail: nothing was changed.
                """.formatted(settings.publicUrl(), settings.link("/dashboard/login"));
        outbox.send(new Mail(email, "Your Wrenn account already exists", text));
    }
}
