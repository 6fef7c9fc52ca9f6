package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import java.util.Set;

/** A validated {@code POST /v1/sandboxes/{id}/processes/{pid}/signal} body: {@code {"signal": "SIGTERM"}}. */
final class SignalBody {

    private SignalBody() {
    }

    static String parse(byte[] body) {
        String signal = JsonBody.parse(body, Set.of("signal")).requiredString("signal");
        if (!ProcessMessages.SIGNALS.contains(signal)) {
            throw ApiException.invalid("'signal' must be SIGTERM or SIGKILL");
        }
        return signal;
    }
}
