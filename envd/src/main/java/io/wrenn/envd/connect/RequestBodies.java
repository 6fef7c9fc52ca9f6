package io.wrenn.envd.connect;

import java.io.IOException;
import java.io.InputStream;

/** Reads small request bodies whole, refusing any larger than a limit instead of buffering it. */
public final class RequestBodies {
    /** Enough for any message envd takes whole, including generous stdin chunks. */
    public static final int MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

    private RequestBodies() {
    }

    public static byte[] read(InputStream in, int limit) throws IOException {
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) {
            throw new ConnectException(Code.RESOURCE_EXHAUSTED, "request body larger than " + limit + " bytes");
        }
        return body;
    }
}
