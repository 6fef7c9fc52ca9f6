package io.wrenn.hostagent.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The agent's JSON files on disk ({@code sandbox.json}, {@code pause.json}, {@code snapshot.json})
 * carry a {@code format} number: a file without one is format 1 (agents before formats were
 * recorded) and still loads; one of a format newer than this agent knows is refused with a clear
 * FAILED_PRECONDITION rather than read wrongly (an agent rolled back over files of a newer one).
 */
final class Manifests {

    static final String FORMAT = "format";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private Manifests() {
    }

    /** {@code value} as pretty JSON with {@code format} set. */
    static byte[] encode(Object value, int format) {
        ObjectNode tree = JSON.valueToTree(value);
        tree.put(FORMAT, format);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree);
    }

    /**
     * Reads {@code file} as {@code type}, refusing formats newer than {@code known}.
     *
     * @throws SandboxException FAILED_PRECONDITION for a newer format
     * @throws IOException or a runtime exception from Jackson when the file is unreadable
     */
    static <T> T decode(Path file, Class<T> type, int known) throws IOException {
        JsonNode tree = JSON.readTree(file.toFile());
        if (!(tree instanceof ObjectNode object)) {
            throw new IOException(file.getFileName() + " is not a JSON object");
        }
        int format = object.path(FORMAT).asInt(1);
        if (format > known) {
            throw new SandboxException(SandboxException.Kind.FAILED_PRECONDITION, file.getFileName()
                    + " is format " + format + ", written by a newer host agent; this one reads up to format " + known);
        }
        object.remove(FORMAT);
        return JSON.treeToValue(object, type);
    }
}
