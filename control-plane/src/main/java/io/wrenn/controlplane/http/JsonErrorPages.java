package io.wrenn.controlplane.http;

import io.wrenn.api.ErrorCode;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The server's answer to requests refused before any route sees them (a request line that is
 * not HTTP, a bad URI, an oversized header, a missing Host): the same {@code {code, message}}
 * body as every other error, in E2B's shape under {@code /e2b/}, instead of the HTTP server's
 * own HTML page. The message is fixed per status: the parser's reason is never echoed.
 */
public final class JsonErrorPages extends ErrorHandler {

    private static final HttpField JSON = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
            status = http.getCode();
        }
        if (status < 400 || status > 599) {
            status = 500;
        }
        response.setStatus(status);
        response.getHeaders().put(JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        byte[] body = body(status, isE2b(request.getHttpURI()));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** Used where the HTTP parser refuses a message before there is a request to hand to {@link #handle}. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(JSON);
        return ByteBuffer.wrap(body(status, false));
    }

    static byte[] body(int status, boolean e2b) {
        ErrorCode code = codeFor(status);
        Object wireCode = e2b ? (Object) status : code.code();
        return Jsons.mapper().writeValueAsBytes(Map.of("code", wireCode, "message", messageFor(status)));
    }

    static ErrorCode codeFor(int status) {
        return switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 414 -> ErrorCode.URI_TOO_LONG;
            case 431 -> ErrorCode.REQUEST_HEADERS_TOO_LARGE;
            case 501 -> ErrorCode.NOT_IMPLEMENTED;
            default -> status < 500 ? ErrorCode.INVALID_REQUEST : ErrorCode.INTERNAL;
        };
    }

    private static String messageFor(int status) {
        return switch (status) {
            case 404 -> "no such route";
            case 405 -> "method not allowed";
            case 408 -> "the request took too long to arrive";
            case 413 -> "request body too large";
            case 414 -> "the request URI is too long";
            case 431 -> "the request's headers are too large";
            case 501 -> "not implemented";
            case 505 -> "HTTP version not supported";
            default -> status < 500 ? "malformed HTTP request" : "internal error";
        };
    }

    private static boolean isE2b(HttpURI uri) {
        String path = uri == null ? null : uri.getPath();
        return path != null && path.startsWith(ErrorHandlers.E2B_PREFIX);
    }
}
