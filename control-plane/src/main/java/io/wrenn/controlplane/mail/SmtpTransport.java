package io.wrenn.controlplane.mail;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;

/**
 * Sends one message over SMTP with Jakarta Mail (Eclipse Angus), one connection per message:
 * mail is rare here (sign-ups), so a pool would only hold connections the server drops anyway.
 * Every network step has a timeout, so a slow server costs a sender thread a bounded time.
 */
final class SmtpTransport {

    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final MailSettings settings;
    private final Session session;

    SmtpTransport(MailSettings settings) {
        this.settings = settings;
        String protocol = settings.implicitTls() ? "smtps" : "smtp";
        String prefix = "mail." + protocol + ".";
        Properties properties = new Properties();
        properties.put("mail.transport.protocol", protocol);
        properties.put(prefix + "host", settings.host());
        properties.put(prefix + "port", Integer.toString(settings.port()));
        properties.put(prefix + "connectiontimeout", Long.toString(TIMEOUT.toMillis()));
        properties.put(prefix + "timeout", Long.toString(TIMEOUT.toMillis()));
        properties.put(prefix + "writetimeout", Long.toString(TIMEOUT.toMillis()));
        properties.put(prefix + "auth", Boolean.toString(settings.user() != null));
        // A certificate must name the server we meant, for STARTTLS and implicit TLS alike.
        properties.put(prefix + "ssl.checkserveridentity", "true");
        if (!settings.implicitTls()) {
            properties.put("mail.smtp.starttls.enable", "true");
            properties.put("mail.smtp.starttls.required", Boolean.toString(settings.requireStartTls()));
        }
        this.session = Session.getInstance(properties);
    }

    void send(Mail mail) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(settings.from(), true));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(mail.to(), true));
        message.setSubject(mail.subject(), "UTF-8");
        message.setText(mail.text(), "UTF-8");
        message.setSentDate(new Date());
        try (Transport transport = session.getTransport()) {
            transport.connect(settings.host(), settings.port(), settings.user(), settings.password());
            transport.sendMessage(message, message.getAllRecipients());
        }
    }
}
