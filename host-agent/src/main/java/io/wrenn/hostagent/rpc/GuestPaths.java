package io.wrenn.hostagent.rpc;

/** Checks on paths inside the guest that arrive over the wire. */
final class GuestPaths {

    private GuestPaths() {
    }

    static String requireAbsolute(String path) {
        if (path.isEmpty() || !path.startsWith("/") || path.indexOf('\0') >= 0 || path.length() > 4096) {
            throw Statuses.invalid("path must be an absolute path in the sandbox");
        }
        return path;
    }
}
