package io.wrenn.controlplane.mail;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends mail on two threads of its own, so a request never waits for an SMTP server (nor does a
 * sign-up's answer time tell whether a mail went) and no database transaction is open while one
 * is sent. The queue is bounded: past it a mail is dropped with a warning rather than holding
 * memory for an SMTP server that is down; the person asks for another link.
 *
 * <p>Mail in the queue is lost if the control plane stops: the links it carries are a
 * convenience the person can ask again for, not state Wrenn must keep.
 */
public final class Outbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    private static final int SENDERS = 2;
    private static final int QUEUE = 500;

    private final SmtpTransport transport;
    private final MailThrottle throttle;
    private final ThreadPoolExecutor senders;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public Outbox(MailSettings settings, MailThrottle throttle) {
        this.transport = new SmtpTransport(settings);
        this.throttle = throttle;
        this.senders = new ThreadPoolExecutor(SENDERS, SENDERS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                Thread.ofPlatform().name("wrenn-mail-", 0).daemon().factory(),
                (task, pool) -> log.warn("mail queue full ({} waiting): a mail is dropped", QUEUE));
        log.info("mail goes through {}", settings);
    }

    /** Queues {@code mail}; returns at once. */
    public void send(Mail mail) {
        senders.execute(() -> deliver(mail));
    }

    private void deliver(Mail mail) {
        try {
            if (!throttle.allow(mail.to())) {
                log.info("mail to a recipient over its hourly limit is dropped");
                return;
            }
            transport.send(mail);
            sent.incrementAndGet();
        } catch (Exception e) {
            failed.incrementAndGet();
            // The exception's text, never the mail (it carries a link that is a credential).
            log.warn("a mail could not be sent: {}", e.toString());
        }
    }

    /** Mails handed to the SMTP server since start. */
    public long sent() {
        return sent.get();
    }

    /** Mails that failed (SMTP or database errors) since start. */
    public long failed() {
        return failed.get();
    }

    /** Gives queued mail a few seconds to go, then stops. */
    @Override
    public void close() {
        senders.shutdown();
        try {
            if (!senders.awaitTermination(5, TimeUnit.SECONDS)) {
                senders.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            senders.shutdownNow();
        }
    }
}
