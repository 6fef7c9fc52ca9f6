package io.wrenn.hostagent.guest;

import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;

/** An open download from a guest: the body and, when the guest said, its length. */
public record Download(InputStream body, OptionalLong length) implements AutoCloseable {
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // the connection is dropped either way
        }
    }
}
