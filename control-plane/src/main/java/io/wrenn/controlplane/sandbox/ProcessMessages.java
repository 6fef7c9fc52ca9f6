package io.wrenn.controlplane.sandbox;

import com.google.protobuf.ByteString;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import io.wrenn.controlplane.http.JsonBody;
import io.wrenn.controlplane.http.Jsons;
import io.wrenn.hostagent.protocol.ProcessAttach;
import io.wrenn.hostagent.protocol.ProcessClientMessage;
import io.wrenn.hostagent.protocol.ProcessServerMessage;
import io.wrenn.hostagent.protocol.ProcessStart;
import io.wrenn.hostagent.protocol.TerminalSize;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The JSON messages of the process WebSocket ({@code /v1/sandboxes/{id}/processes/stream}),
 * validated into host agent messages and rendered back. Output bytes travel as base64, so
 * binary output survives; stdin may also come as binary frames.
 */
final class ProcessMessages {

    static final Set<String> SIGNALS = Set.of("SIGTERM", "SIGKILL");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int MAX_TERMINAL_SIDE = 1000;
    private static final int MAX_TERMINAL_CELLS = 10_000;
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "start", Set.of("type", "cmd", "args", "env", "cwd", "user", "pty", "cols", "rows", "tag", "background", "timeout_s"),
            "attach", Set.of("type", "pid", "tag"),
            "stdin", Set.of("type", "data"),
            "close_stdin", Set.of("type"),
            "signal", Set.of("type", "signal"),
            "resize", Set.of("type", "cols", "rows"));

    private ProcessMessages() {
    }

    /** The first message of a socket: start or attach, for the sandbox {@code sandboxId}. */
    static ProcessClientMessage opening(String text, String sandboxId, int maxTimeoutS) {
        String type = type(text);
        JsonBody json = JsonBody.parse(text.getBytes(StandardCharsets.UTF_8), FIELDS.get(type));
        return switch (type) {
            case "start" -> ProcessClientMessage.newBuilder().setStart(start(json, sandboxId, maxTimeoutS)).build();
            case "attach" -> ProcessClientMessage.newBuilder().setAttach(attach(json, sandboxId)).build();
            default -> throw ApiException.invalid("the first message must be of type 'start' or 'attach'");
        };
    }

    /** A later message: stdin, close_stdin, signal or resize. */
    static ProcessClientMessage steering(String text) {
        String type = type(text);
        JsonBody json = JsonBody.parse(text.getBytes(StandardCharsets.UTF_8), FIELDS.get(type));
        ProcessClientMessage.Builder message = ProcessClientMessage.newBuilder();
        return switch (type) {
            case "stdin" -> message.setStdin(ByteString.copyFrom(base64(json.requiredString("data")))).build();
            case "close_stdin" -> message.setCloseStdin(ProcessClientMessage.CloseStdin.getDefaultInstance()).build();
            case "signal" -> {
                String signal = json.requiredString("signal");
                if (!SIGNALS.contains(signal)) {
                    throw ApiException.invalid("'signal' must be SIGTERM or SIGKILL");
                }
                yield message.setSignal(signal).build();
            }
            case "resize" -> message.setResize(size(json, true)).build();
            default -> throw ApiException.invalid("'" + type + "' may only be the first message");
        };
    }

    static ProcessClientMessage stdin(byte[] data) {
        return ProcessClientMessage.newBuilder().setStdin(ByteString.copyFrom(data)).build();
    }

    /** A server message as the JSON text frame the client receives. */
    static String render(ProcessServerMessage message) {
        Map<String, Object> json = new LinkedHashMap<>();
        switch (message.getMessageCase()) {
            case STARTED -> {
                json.put("type", "started");
                json.put("pid", message.getStarted().getPid());
                if (!message.getStarted().getTag().isEmpty()) {
                    json.put("tag", message.getStarted().getTag());
                }
            }
            case STDOUT -> data(json, "stdout", message.getStdout());
            case STDERR -> data(json, "stderr", message.getStderr());
            case PTY -> data(json, "pty", message.getPty());
            case EXITED -> {
                var exited = message.getExited();
                json.put("type", "exited");
                json.put("exit_code", exited.getExitCode());
                json.put("timed_out", exited.getTimedOut());
                json.put("error", exited.getError().isEmpty() ? null : exited.getError());
            }
            default -> throw new IllegalArgumentException("empty message from the host");
        }
        return Jsons.mapper().writeValueAsString(json);
    }

    static String error(ApiException e) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", "error");
        json.put("code", e.code().code());
        json.put("message", e.getMessage());
        return Jsons.mapper().writeValueAsString(json);
    }

    private static void data(Map<String, Object> json, String type, ByteString bytes) {
        json.put("type", type);
        json.put("data", Base64.getEncoder().encodeToString(bytes.toByteArray()));
    }

    private static ProcessStart start(JsonBody json, String sandboxId, int maxTimeoutS) {
        ProcessStart.Builder start = ProcessStart.newBuilder()
                .setSandboxId(sandboxId)
                .setCmd(Inputs.program(json))
                .addAllArgs(Inputs.arguments(json))
                .putAllEnv(Inputs.env("env", json.stringMap("env")))
                .setCwd(Inputs.absolutePath("cwd", json.string("cwd").orElse(""), false))
                .setUser(Inputs.user("user", json.string("user").orElse("")))
                .setTag(tag(json.string("tag").orElse("")))
                .setBackground(json.bool("background", false))
                .setTimeoutS(json.integer("timeout_s", 0, maxTimeoutS).orElse(0));
        if (json.bool("pty", false)) {
            start.setPty(size(json, false));
        } else if (json.integer("cols", 0, Integer.MAX_VALUE).isPresent() || json.integer("rows", 0, Integer.MAX_VALUE).isPresent()) {
            throw ApiException.invalid("'cols' and 'rows' need 'pty': true");
        }
        return start.build();
    }

    private static ProcessAttach attach(JsonBody json, String sandboxId) {
        ProcessAttach.Builder attach = ProcessAttach.newBuilder().setSandboxId(sandboxId);
        var pid = json.integer("pid", 1, Integer.MAX_VALUE);
        var tag = json.string("tag");
        if (pid.isPresent() == tag.isPresent()) {
            throw ApiException.invalid("attach needs exactly one of 'pid' and 'tag'");
        }
        return pid.isPresent() ? attach.setPid(pid.getAsInt()).build() : attach.setTag(tag(tag.get())).build();
    }

    private static TerminalSize size(JsonBody json, boolean required) {
        int cols = json.integer("cols", 1, MAX_TERMINAL_SIDE).orElse(required ? -1 : 80);
        int rows = json.integer("rows", 1, MAX_TERMINAL_SIDE).orElse(required ? -1 : 24);
        if (cols < 0 || rows < 0) {
            throw ApiException.invalid("'cols' and 'rows' are required");
        }
        if (cols * rows > MAX_TERMINAL_CELLS) {
            throw ApiException.invalid("a terminal has at most " + MAX_TERMINAL_CELLS + " cells (cols × rows)");
        }
        return TerminalSize.newBuilder().setCols(cols).setRows(rows).build();
    }

    private static String tag(String tag) {
        if (!tag.isEmpty() && !TAG.matcher(tag).matches()) {
            throw ApiException.invalid("'tag' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return tag;
    }

    private static byte[] base64(String data) {
        try {
            return Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("'data' must be base64");
        }
    }

    private static String type(String text) {
        JsonNode root;
        try {
            root = Jsons.mapper().readTree(text);
        } catch (JacksonException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "message is not valid JSON");
        }
        if (root == null || !root.isObject() || !root.path("type").isString()) {
            throw ApiException.invalid("a message is a JSON object with a string 'type'");
        }
        String type = root.path("type").stringValue();
        if (!FIELDS.containsKey(type)) {
            throw ApiException.invalid("unknown message type '" + type + "'; expected one of " + FIELDS.keySet());
        }
        return type;
    }
}
