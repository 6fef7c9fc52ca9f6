package io.wrenn.controlplane.sandbox;

import io.wrenn.controlplane.http.JsonBody;
import java.util.Set;

/**
 * A validated body naming guest paths: {@code {"path", "user"}} for mkdir,
 * {@code {"source", "destination", "user"}} for move ({@link #path()} is then the source).
 */
record PathBody(String path, String destination, String user) {

    static PathBody parse(byte[] body, boolean move) {
        JsonBody json = JsonBody.parse(body, move ? Set.of("source", "destination", "user") : Set.of("path", "user"));
        String user = Inputs.user("user", json.string("user").orElse(""));
        if (move) {
            return new PathBody(Inputs.absolutePath("source", json.requiredString("source"), true),
                    Inputs.absolutePath("destination", json.requiredString("destination"), true), user);
        }
        return new PathBody(Inputs.absolutePath("path", json.requiredString("path"), true), null, user);
    }
}
