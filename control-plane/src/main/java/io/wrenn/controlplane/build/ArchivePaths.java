package io.wrenn.controlplane.build;

/** What a path inside a build archive (an entry, or a COPY source) may look like. */
final class ArchivePaths {

    static final int MAX_LENGTH = 4096;

    private ArchivePaths() {
    }

    /** Null when {@code path} is a relative path that stays inside the archive; else what is wrong with it. */
    static String problem(String path) {
        if (path.isEmpty()) {
            return "is empty";
        }
        if (path.length() > MAX_LENGTH) {
            return "is too long";
        }
        if (path.startsWith("/")) {
            return "is absolute";
        }
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) < 0x20) {
                return "holds a control character";
            }
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                return "leaves the archive ('..')";
            }
        }
        return null;
    }

    /** {@code path} without {@code ./} segments, empty segments or a trailing slash; {@code "."} for the root. */
    static String normalize(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(segment);
        }
        return out.isEmpty() ? "." : out.toString();
    }
}
