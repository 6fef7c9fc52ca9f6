package io.wrenn.envd.user;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Looks users and groups up in /etc/passwd and /etc/group directly, so envd needs no NSS
 * configuration in the guest. The files are read on every lookup: they are small, and a template
 * build may add users while envd runs.
 */
public final class UserDirectory {
    private final Path passwd;
    private final Path group;

    public UserDirectory(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
    }

    public static UserDirectory system() {
        return new UserDirectory(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    public Optional<User> byName(String name) {
        return users().stream().filter(u -> u.name().equals(name)).findFirst();
    }

    public Optional<User> byUid(int uid) {
        return users().stream().filter(u -> u.uid() == uid).findFirst();
    }

    /** The name of the user with this uid, or the number as text when there is none. */
    public String userName(int uid) {
        return byUid(uid).map(User::name).orElse(Integer.toString(uid));
    }

    /** The name of the group with this gid, or the number as text when there is none. */
    public String groupName(int gid) {
        for (String line : lines(group)) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 3 && fields[2].equals(Integer.toString(gid))) {
                return fields[0];
            }
        }
        return Integer.toString(gid);
    }

    /**
     * The groups a user's processes get at login: its primary group and every group of
     * /etc/group that lists it as a member (what {@code initgroups(3)} computes), sorted.
     */
    public int[] groupIds(User user) {
        var gids = new java.util.TreeSet<Integer>();
        gids.add(user.gid());
        for (String line : lines(group)) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 4 && java.util.Arrays.asList(fields[3].split(",")).contains(user.name())) {
                try {
                    gids.add(Integer.parseInt(fields[2]));
                } catch (NumberFormatException e) {
                    // a malformed line names no group
                }
            }
        }
        return gids.stream().mapToInt(Integer::intValue).toArray();
    }

    private List<User> users() {
        return lines(passwd).stream()
                .map(line -> line.split(":", -1))
                .filter(f -> f.length >= 7)
                .flatMap(f -> {
                    try {
                        return java.util.stream.Stream.of(new User(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5], f[6]));
                    } catch (NumberFormatException e) {
                        return java.util.stream.Stream.empty();
                    }
                })
                .toList();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
