package io.wrenn.hostagent.guest;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

/**
 * The messages of one Connect server stream from envd. {@link #next()} blocks for the next
 * frame, so the caller's pace is the stream's pace: nothing is read ahead and buffered.
 *
 * @param <T> what a frame decodes to
 */
public class ConnectStream<T> implements AutoCloseable {
    private final InputStream body;
    private final Function<byte[], T> decoder;
    private boolean finished;

    /** @param decoder turns a message frame's payload into a value, or null for frames to skip (keepalives) */
    ConnectStream(InputStream body, Function<byte[], T> decoder) {
        this.body = body;
        this.decoder = decoder;
    }

    /**
     * The next message, or null when the stream is over.
     *
     * @throws GuestException when the stream ended with an error or broke off
     */
    public T next() {
        while (!finished) {
            ConnectEnvelope frame;
            try {
                frame = ConnectEnvelope.read(body);
            } catch (IOException e) {
                finished = true;
                throw new GuestException(GuestException.Kind.UNAVAILABLE, "the guest agent's stream broke off", e);
            }
            if (frame == null) {
                finished = true;
                return null;
            }
            if (frame.isEndStream()) {
                finished = true;
                GuestException error = EnvdClient.decodeEndOfStream(frame.payload());
                if (error != null) {
                    throw error;
                }
                return null;
            }
            T message = decoder.apply(frame.payload());
            if (message != null) {
                return message;
            }
        }
        return null;
    }

    /** Ends the stream from this side; a {@link #next()} blocked on it returns or throws. */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // the connection is dropped either way
        }
    }
}
