package io.wrenn.envd.filesystem;

import io.wrenn.envd.user.UserDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the protocol's {@code EntryInfo} for a path without following a final symlink: its type
 * is then {@code FILE_TYPE_SYMLINK} with {@code symlinkTarget}, while size and mode describe the
 * target when it exists.
 */
public final class EntryInfos {
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;

    private final UserDirectory users;

    public EntryInfos(UserDirectory users) {
        this.users = users;
    }

    /** The entry for {@code path}, reported under the name {@code shownPath}. */
    public Map<String, Object> of(Path path, Path shownPath) throws IOException {
        Map<String, Object> attrs = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) attrs.get("mode");
        var json = new LinkedHashMap<String, Object>();
        json.put("name", shownPath.getFileName() == null ? "/" : shownPath.getFileName().toString());
        String type = switch (mode & S_IFMT) {
            case S_IFDIR -> "FILE_TYPE_DIRECTORY";
            case S_IFLNK -> "FILE_TYPE_SYMLINK";
            case S_IFREG -> "FILE_TYPE_FILE";
            default -> "FILE_TYPE_UNSPECIFIED";
        };
        json.put("type", type);
        json.put("path", shownPath.toString());
        Map<String, Object> described = attrs;
        String symlinkTarget = null;
        if ((mode & S_IFMT) == S_IFLNK) {
            Path target = path.getParent() == null ? Files.readSymbolicLink(path) : path.getParent().resolve(Files.readSymbolicLink(path));
            symlinkTarget = target.normalize().toString();
            if (Files.exists(path)) {
                described = Files.readAttributes(path, "unix:*");
                symlinkTarget = path.toRealPath().toString();
            }
        }
        int describedMode = (Integer) described.get("mode");
        json.put("size", Long.toString((Long) described.get("size")));
        json.put("mode", describedMode & 07777);
        json.put("permissions", permissions(mode));
        json.put("owner", users.userName((Integer) attrs.get("uid")));
        json.put("group", users.groupName((Integer) attrs.get("gid")));
        json.put("modifiedTime", ((FileTime) described.get("lastModifiedTime")).toInstant().toString());
        if (symlinkTarget != null) {
            json.put("symlinkTarget", symlinkTarget);
        }
        Map<String, String> metadata = FileMetadata.read(path);
        if (!metadata.isEmpty()) {
            json.put("metadata", metadata);
        }
        return json;
    }

    /** {@code ls -l} style text, e.g. {@code drwxr-xr-x} (symlinks as {@code L}, like E2B's envd). */
    static String permissions(int mode) {
        char type = switch (mode & S_IFMT) {
            case S_IFDIR -> 'd';
            case S_IFLNK -> 'L';
            case S_IFBLK -> 'D';
            case S_IFCHR -> 'c';
            case S_IFIFO -> 'p';
            case S_IFSOCK -> 'S';
            default -> '-';
        };
        var out = new StringBuilder().append(type);
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            out.append((mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
        }
        return out.toString();
    }
}
