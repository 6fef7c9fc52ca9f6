package io.wrenn.envd.connect;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.wrenn.envd.json.Json;
import io.wrenn.envd.json.JsonException;
import io.wrenn.envd.json.JsonObject;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Serves one Connect service ({@code /package.Service/Method}) over HTTP/1.1 with the JSON codec.
 *
 * <p>Unary: {@code POST} with {@code application/json}; the reply is 200 with the JSON message, or
 * the error's HTTP status with a Connect error object. Server-streaming: {@code POST} with
 * {@code application/connect+json} carrying one enveloped message; the reply is always 200 (chunked),
 * a series of enveloped messages flushed one by one, then an end-of-stream envelope holding
 * {@code {}} or {@code {"error":{...}}}.
 */
public final class ConnectService implements HttpHandler {
    private static final System.Logger LOG = System.getLogger(ConnectService.class.getName());

    private final String prefix;
    private final Map<String, Rpc> methods;

    /** @param serviceName the fully qualified service name, e.g. {@code process.Process} */
    public ConnectService(String serviceName, Map<String, Rpc> methods) {
        this.prefix = "/" + serviceName + "/";
        this.methods = Map.copyOf(methods);
    }

    public String path() {
        return prefix;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Rpc rpc = path.startsWith(prefix) ? methods.get(path.substring(prefix.length())) : null;
            if (rpc == null) {
                sendUnaryError(exchange, new ConnectException(Code.UNIMPLEMENTED, "method " + path + " is not implemented"));
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (isCompressed(exchange)) {
                sendUnaryError(exchange, new ConnectException(Code.UNIMPLEMENTED, "compressed requests are not supported"));
                return;
            }
            String contentType = mediaType(exchange);
            switch (rpc) {
                case Rpc.Unary unary -> {
                    if (!contentType.equals("application/json")) {
                        sendUnsupportedMediaType(exchange, "application/json");
                        return;
                    }
                    serveUnary(exchange, unary);
                }
                case Rpc.ServerStream stream -> {
                    if (!contentType.equals("application/connect+json")) {
                        sendUnsupportedMediaType(exchange, "application/connect+json");
                        return;
                    }
                    serveStream(exchange, stream);
                }
            }
        }
    }

    private static boolean isCompressed(HttpExchange exchange) {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        String streamEncoding = exchange.getRequestHeaders().getFirst("Connect-Content-Encoding");
        return (encoding != null && !encoding.equalsIgnoreCase("identity"))
                || (streamEncoding != null && !streamEncoding.equalsIgnoreCase("identity"));
    }

    private static String mediaType(HttpExchange exchange) {
        String value = exchange.getRequestHeaders().getFirst("Content-Type");
        if (value == null) {
            return "";
        }
        int semicolon = value.indexOf(';');
        return (semicolon >= 0 ? value.substring(0, semicolon) : value).trim().toLowerCase(Locale.ROOT);
    }

    private void serveUnary(HttpExchange exchange, Rpc.Unary unary) throws IOException {
        Object response;
        try {
            JsonObject request = Json.parseObject(RequestBodies.read(exchange.getRequestBody(), RequestBodies.MAX_MESSAGE_BYTES));
            response = unary.handler().handle(new CallContext(exchange.getRequestHeaders()), request);
        } catch (RuntimeException e) {
            sendUnaryError(exchange, toConnect(e));
            return;
        }
        byte[] body = Json.writeBytes(response == null ? Map.of() : response);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private void serveStream(HttpExchange exchange, Rpc.ServerStream stream) throws IOException {
        JsonObject request;
        ConnectException failure = null;
        try {
            request = readSingleMessage(exchange);
        } catch (ConnectException e) {
            request = null;
            failure = e;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/connect+json");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        if (failure == null) {
            MessageStream sink = json -> {
                new Envelope(0, json).writeTo(out);
                out.flush();
            };
            try {
                stream.handler().handle(new CallContext(exchange.getRequestHeaders()), request, sink);
            } catch (IOException e) {
                // The client went away; nobody is left to read an end-of-stream message.
                return;
            } catch (RuntimeException e) {
                failure = toConnect(e);
            }
        }
        var end = new LinkedHashMap<String, Object>();
        if (failure != null) {
            end.put("error", failure.toJson());
        }
        try {
            new Envelope(Envelope.END_STREAM, Json.writeBytes(end)).writeTo(out);
            out.flush();
        } catch (IOException e) {
            // Client gone before the end of the stream; nothing to do.
        }
    }

    private static JsonObject readSingleMessage(HttpExchange exchange) {
        try {
            var in = new java.io.PushbackInputStream(exchange.getRequestBody(), 1);
            int first = in.read();
            if (first < 0) {
                return JsonObject.empty();
            }
            in.unread(first);
            if (first == '{') {
                // Not an envelope (whose first byte is a flags byte): a client that sent the bare
                // JSON message. Accepted, since the intent is unambiguous.
                return Json.parseObject(RequestBodies.read(in, RequestBodies.MAX_MESSAGE_BYTES));
            }
            Envelope envelope = Envelope.read(in);
            if ((envelope.flags() & Envelope.COMPRESSED) != 0) {
                throw new ConnectException(Code.UNIMPLEMENTED, "compressed messages are not supported");
            }
            return Json.parseObject(envelope.payload());
        } catch (IOException e) {
            throw ConnectException.invalidArgument("cannot read request message: " + e.getMessage());
        } catch (JsonException e) {
            throw ConnectException.invalidArgument("invalid request message: " + e.getMessage());
        }
    }

    static ConnectException toConnect(RuntimeException e) {
        return switch (e) {
            case ConnectException ce -> ce;
            case JsonException je -> ConnectException.invalidArgument("invalid request message: " + je.getMessage());
            default -> {
                LOG.log(System.Logger.Level.ERROR, "internal error", e);
                yield ConnectException.internal("internal error: " + e, e);
            }
        };
    }

    private static void sendUnaryError(HttpExchange exchange, ConnectException error) throws IOException {
        byte[] body = Json.writeBytes(error.toJson());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(error.code().httpStatus(), body.length);
        exchange.getResponseBody().write(body);
    }

    private static void sendUnsupportedMediaType(HttpExchange exchange, String expected) throws IOException {
        exchange.getResponseHeaders().set("Accept-Post", expected);
        exchange.sendResponseHeaders(415, -1);
    }
}
