package io.wrenn.envd.process;

import io.wrenn.envd.connect.ConnectException;
import io.wrenn.envd.json.JsonObject;

/** The protocol's {@code ProcessSelector}: a process named by pid or by tag. */
public sealed interface Selector {
    record ByPid(int pid) implements Selector {
    }

    record ByTag(String tag) implements Selector {
    }

    default String describe() {
        return switch (this) {
            case ByPid(int pid) -> "with pid " + pid;
            case ByTag(String tag) -> "with tag '" + tag + "'";
        };
    }

    /** Reads the {@code process} field of a request. */
    static Selector from(JsonObject request) {
        JsonObject selector = request.object("process")
                .orElseThrow(() -> ConnectException.invalidArgument("process selector is required"));
        if (selector.has("pid")) {
            return new ByPid(selector.integer("pid").orElseThrow().intValue());
        }
        return selector.string("tag").<Selector>map(ByTag::new)
                .orElseThrow(() -> ConnectException.invalidArgument("process selector needs a pid or a tag"));
    }
}
