package io.wrenn.envd.connect;

import io.wrenn.envd.json.JsonObject;

import java.io.IOException;

/** One Connect method: unary (one message in, one out) or server-streaming (one in, many out). */
public sealed interface Rpc {

    @FunctionalInterface
    interface UnaryHandler {
        Object handle(CallContext context, JsonObject request);
    }

    @FunctionalInterface
    interface StreamHandler {
        /** Sends messages to {@code stream}; returning normally ends the stream without error. */
        void handle(CallContext context, JsonObject request, MessageStream stream) throws IOException;
    }

    record Unary(UnaryHandler handler) implements Rpc {
    }

    record ServerStream(StreamHandler handler) implements Rpc {
    }

    static Rpc unary(UnaryHandler handler) {
        return new Unary(handler);
    }

    static Rpc serverStream(StreamHandler handler) {
        return new ServerStream(handler);
    }
}
