package io.wrenn.envd.connect;

import io.wrenn.envd.json.Json;

import java.io.IOException;

/** Where a server-streaming RPC sends its messages; each send is flushed to the client at once. */
public interface MessageStream {
    /**
     * Sends one message already written as JSON (UTF-8). Blocks while the client is slow to
     * read, which is how a streaming RPC applies back-pressure to its source.
     *
     * @throws IOException when the client has gone away
     */
    void sendJson(byte[] json) throws IOException;

    /** Sends one message, written as JSON. */
    default void send(Object message) throws IOException {
        sendJson(Json.writeBytes(message));
    }
}
