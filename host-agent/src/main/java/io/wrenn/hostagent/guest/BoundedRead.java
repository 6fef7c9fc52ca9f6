package io.wrenn.hostagent.guest;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a whole guest answer within a size and a time limit. The HTTP client's request timeout
 * ends at the response headers; a body that trickles or never ends would hold the reader (and
 * its memory) for ever, so the read runs on a virtual thread and the stream is closed at the deadline.
 */
final class BoundedRead {

    private BoundedRead() {
    }

    /** The body's bytes; a body longer than {@code maxBytes} or slower than {@code timeout} fails. */
    static byte[] read(InputStream body, int maxBytes, Duration timeout) {
        CompletableFuture<byte[]> reading = new CompletableFuture<>();
        Thread.ofVirtual().name("wrenn-guest-read").start(() -> {
            try (body) {
                reading.complete(body.readNBytes(maxBytes + 1));
            } catch (IOException | RuntimeException e) {
                reading.completeExceptionally(e);
            }
        });
        try {
            byte[] bytes = reading.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            if (bytes.length > maxBytes) {
                throw new GuestException(GuestException.Kind.UNAVAILABLE, "the guest agent's answer exceeds " + maxBytes + " bytes");
            }
            return bytes;
        } catch (TimeoutException e) {
            closeQuietly(body);
            throw new GuestException(GuestException.Kind.UNAVAILABLE, "the guest agent did not finish its answer in time", e);
        } catch (ExecutionException e) {
            throw new GuestException(GuestException.Kind.UNAVAILABLE, "the guest agent's answer broke off", e.getCause());
        } catch (InterruptedException e) {
            closeQuietly(body);
            Thread.currentThread().interrupt();
            throw new GuestException(GuestException.Kind.UNAVAILABLE, "interrupted", e);
        }
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // the connection is dropped either way
        }
    }
}
