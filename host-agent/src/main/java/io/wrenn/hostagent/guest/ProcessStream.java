package io.wrenn.hostagent.guest;

import java.io.InputStream;

/** The event stream of one process ({@code Start} or {@code Connect}). */
public final class ProcessStream extends ConnectStream<ProcessEvent> {
    ProcessStream(InputStream body) {
        super(body, EnvdClient::decodeEvent);
    }
}
