package io.wrenn.envd.user;

/** A user of the guest, as /etc/passwd describes it. */
public record User(String name, int uid, int gid, String home, String shell) {
}
