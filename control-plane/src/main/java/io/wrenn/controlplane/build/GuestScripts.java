package io.wrenn.controlplane.build;

import static io.wrenn.controlplane.build.ShellWords.quote;

import java.util.List;

/** The shell scripts (run as root in the builder) behind the steps that are more than a command. */
final class GuestScripts {

    /** Where a build keeps its archives in the guest; removed by the last post step. */
    static final String WORK_DIR = "/tmp/wrenn-build";

    private GuestScripts() {
    }

    /** Creates {@code user} if missing (home, bash when present) with passwordless sudo, as E2B's {@code user} has. */
    static String ensureUser(String user) {
        String u = quote(user);
        return "set -e\n"
                + "if ! id -u " + u + " >/dev/null 2>&1; then\n"
                + "  if command -v useradd >/dev/null 2>&1; then\n"
                + "    shell=/bin/sh; [ -x /bin/bash ] && shell=/bin/bash\n"
                + "    useradd --create-home --shell \"$shell\" " + u + "\n"
                + "  else\n"
                + "    adduser -D " + u + "\n"
                + "  fi\n"
                + "fi\n"
                + "mkdir -p /etc/sudoers.d\n"
                + "printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\\n' " + u + " > /etc/sudoers.d/" + user + "\n"
                + "chmod 0440 /etc/sudoers.d/" + user + "\n";
    }

    /** Prints {@code user}'s home directory. */
    static String homeOf(String user) {
        String u = quote(user);
        return "getent passwd " + u + " 2>/dev/null | cut -d: -f6 || awk -F: -v u=" + u + " '$1 == u {print $6}' /etc/passwd";
    }

    /** Creates {@code dir} (owned by {@code user} when it did not exist). */
    static String workdir(String dir, String user) {
        String d = quote(dir);
        return "[ -d " + d + " ] || { mkdir -p " + d + " && chown " + quote(user) + ": " + d + "; }";
    }

    /** Unpacks an uploaded archive (a normalised tar) once per build into its own directory. */
    static String unpack(String tarPath, String filesDir) {
        String f = quote(filesDir);
        return "set -e\n"
                + "if [ ! -d " + f + " ]; then\n"
                + "  mkdir -p " + f + ".part && tar -x -f " + quote(tarPath) + " -C " + f + ".part\n"
                + "  rm -f " + quote(tarPath) + " && mv " + f + ".part " + f + "\n"
                + "fi\n";
    }

    /**
     * Copies sources of an unpacked archive to {@code destination} as Docker's COPY does: a
     * directory's contents are merged into the destination; a file onto a path not ending in '/'
     * is that path, and goes inside it when there are several sources, a trailing '/' or an
     * existing directory. What is copied is owned by {@code user} and, if given, files get {@code mode}.
     */
    static String copy(String filesDir, List<String> sources, String destination, String user, String mode) {
        StringBuilder script = new StringBuilder("set -e\n");
        String d = quote(destination);
        String owner = quote(user) + ":$(id -g " + quote(user) + ")";
        boolean intoDir = sources.size() > 1 || destination.endsWith("/");
        script.append("into=").append(intoDir ? "1" : "0").append("; [ -d ").append(d).append(" ] && into=1\n");
        // A destination the copy creates is the step user's too (Docker's COPY --chown does the same).
        script.append("existed=0; [ -e ").append(d).append(" ] && existed=1\n");
        for (String source : sources) {
            String normalized = ArchivePaths.normalize(source);
            String src = quote(filesDir + "/" + normalized);
            String base = normalized.contains("/") ? normalized.substring(normalized.lastIndexOf('/') + 1) : normalized;
            script.append("s=").append(src).append("\n")
                    .append("[ -e \"$s\" ] || [ -L \"$s\" ] || { echo 'COPY: ").append(base.replace("'", ""))
                    .append(" is not in the archive' >&2; exit 1; }\n")
                    .append("if [ -d \"$s\" ] && [ ! -L \"$s\" ]; then\n")
                    .append("  mkdir -p ").append(d).append("; cp -a \"$s\"/. ").append(d).append("/\n")
                    .append("  for f in \"$s\"/* \"$s\"/.[!.]*; do [ -e \"$f\" ] || [ -L \"$f\" ] || continue\n")
                    .append("    t=").append(d).append("/\"$(basename \"$f\")\"; chown -hR ").append(owner).append(" \"$t\"\n")
                    .append(mode == null ? "" : "    find \"$t\" -type f -exec chmod " + mode + " {} +\n")
                    .append("  done\n")
                    .append("else\n")
                    .append("  if [ \"$into\" = 1 ]; then mkdir -p ").append(d).append("; t=").append(d).append("/")
                    .append(quote(base)).append("; else mkdir -p \"$(dirname ").append(d).append(")\"; t=").append(d).append("; fi\n")
                    .append("  cp -a \"$s\" \"$t\"; chown -h ").append(owner).append(" \"$t\"\n")
                    .append(mode == null ? "" : "  [ -L \"$t\" ] || chmod " + mode + " \"$t\"\n")
                    .append("fi\n");
        }
        script.append("if [ \"$existed\" = 0 ] && [ -d ").append(d).append(" ]; then chown ").append(owner).append(" ").append(d).append("; fi\n");
        return script.toString();
    }

    /**
     * Starts {@code command} in a session of its own, so it outlives the step that started it
     * (and is in the snapshot's memory); its output goes to a file in the user's home.
     */
    static String start(String command) {
        return "setsid /bin/sh -c " + quote(command) + " >\"${HOME:-/tmp}/.wrenn-start.log\" 2>&1 </dev/null &\n";
    }
}
