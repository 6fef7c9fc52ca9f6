package io.wrenn.envd.filesystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A file's metadata in E2B's protocol (envd 0.6.2): string pairs the SDK sends as
 * {@code X-Metadata-<key>} headers with an upload, kept as the file's extended attributes in the
 * {@code user.} namespace under {@value #PREFIX} (so they follow the file through a rename and
 * stay inside the guest's own filesystem), and shown in its {@code EntryInfo}. An upload that
 * writes a file replaces all of its metadata: a write without any clears it. Keys are lower case
 * (HTTP header names are not case-sensitive).
 */
public final class FileMetadata {

    /** Within the {@code user.} namespace, which {@link UserDefinedFileAttributeView} adds itself. */
    static final String PREFIX = "e2b.metadata.";
    public static final String HEADER_PREFIX = "x-metadata-";
    /** HTTP token characters, as the SDK checks them before sending. */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9!#$%&'*+\\-.^_`|~]{1,200}");
    /** Printable US-ASCII. */
    private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e]{0,4096}");
    private static final int MAX_PAIRS = 64;

    private FileMetadata() {
    }

    /**
     * The metadata pairs among request headers (name → values), validated: a guest-side API
     * still checks what it is sent.
     *
     * @throws IllegalArgumentException naming the first bad key or value
     */
    public static Map<String, String> fromHeaders(Map<String, java.util.List<String>> headers) {
        Map<String, String> pairs = new TreeMap<>();
        for (var header : headers.entrySet()) {
            String name = header.getKey().toLowerCase(java.util.Locale.ROOT);
            if (!name.startsWith(HEADER_PREFIX) || header.getValue().isEmpty()) {
                continue;
            }
            String key = name.substring(HEADER_PREFIX.length());
            String value = header.getValue().getFirst();
            if (!KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("invalid metadata key '" + key + "'");
            }
            if (!VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException("invalid metadata value for key '" + key + "': printable US-ASCII only");
            }
            pairs.put(key, value);
        }
        if (pairs.size() > MAX_PAIRS) {
            throw new IllegalArgumentException("at most " + MAX_PAIRS + " metadata pairs per file");
        }
        return pairs;
    }

    /** Replaces the file's metadata with {@code pairs} (none: cleared). */
    public static void replace(Path file, Map<String, String> pairs) throws IOException {
        UserDefinedFileAttributeView view = view(file);
        if (view == null) {
            if (!pairs.isEmpty()) {
                throw new IOException("this filesystem keeps no extended attributes");
            }
            return;
        }
        java.util.List<String> existing;
        try {
            existing = names(view);
        } catch (IOException e) {
            if (pairs.isEmpty()) {
                return; // a filesystem without user attributes (tmpfs here) has none to clear
            }
            throw e;
        }
        for (String name : existing) {
            view.delete(name);
        }
        for (var pair : pairs.entrySet()) {
            view.write(PREFIX + pair.getKey(), ByteBuffer.wrap(pair.getValue().getBytes(StandardCharsets.US_ASCII)));
        }
    }

    /** The file's metadata; empty when it has none or its filesystem keeps none (a symlink's own is never read). */
    public static Map<String, String> read(Path file) {
        Map<String, String> pairs = new TreeMap<>();
        try {
            if (Files.isSymbolicLink(file)) {
                return pairs;
            }
            UserDefinedFileAttributeView view = view(file);
            if (view == null) {
                return pairs;
            }
            for (String name : names(view)) {
                ByteBuffer buffer = ByteBuffer.allocate(view.size(name));
                view.read(name, buffer);
                buffer.flip();
                pairs.put(name.substring(PREFIX.length()), StandardCharsets.US_ASCII.decode(buffer).toString());
            }
        } catch (IOException | UnsupportedOperationException e) {
            // unreadable attributes: shown as none
        }
        return pairs;
    }

    private static java.util.List<String> names(UserDefinedFileAttributeView view) throws IOException {
        return view.list().stream().filter(name -> name.startsWith(PREFIX)).toList();
    }

    private static UserDefinedFileAttributeView view(Path file) {
        return Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }
}
