package io.wrenn.envd.connect;

import java.io.IOException;

/** Where a server-streaming RPC sends its messages; each send is flushed to the client at once. */
public interface MessageStream {
    /**
     * Sends one message. Blocks while the client is slow to read, which is how a streaming RPC
     * applies back-pressure to its source.
     *
     * @throws IOException when the client has gone away
     */
    void send(Object message) throws IOException;
}
