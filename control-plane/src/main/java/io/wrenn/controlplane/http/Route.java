package io.wrenn.controlplane.http;

/**
 * One served route, as OpenAPI names it: an upper-case method, a path template and who may
 * call it. {@code audited}: the audit log records every call (every route that changes
 * something: all but GETs, plus the GETs that do, such as an OAuth callback making an account).
 */
public record Route(String method, String path, Access access, boolean audited) {
}
