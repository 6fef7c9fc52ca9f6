package io.wrenn.controlplane.http;

/** One served route, as OpenAPI names it: an upper-case method and a path template. */
public record Route(String method, String path) {
}
