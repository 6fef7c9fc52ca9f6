package io.wrenn.controlplane.mail;

import static java.util.Objects.requireNonNull;

/** One plain-text message to one recipient. */
public record Mail(String to, String subject, String text) {

    public Mail {
        requireNonNull(to, "to");
        requireNonNull(subject, "subject");
        requireNonNull(text, "text");
        // Header injection: an address or subject must stay one header line.
        if (to.chars().anyMatch(c -> c == '\r' || c == '\n') || subject.chars().anyMatch(c -> c == '\r' || c == '\n')) {
            throw new IllegalArgumentException("a recipient or subject holds a line break");
        }
    }
}
