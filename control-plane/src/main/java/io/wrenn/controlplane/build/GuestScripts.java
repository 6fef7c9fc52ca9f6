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

    /** Where an imported root filesystem's tarball is put in the builder (on its disk: /tmp is memory). */
    static final String IMPORT_TAR = "/.wrenn-import.tar";

    /**
     * Turns the builder's disk into the root filesystem of {@link #IMPORT_TAR}, inside the guest
     * (the tenant's own machine: its files are unpacked and its binaries run nowhere else).
     * Unpacks it to {@code /.wrenn-import}; refuses, with one line {@code refused: WHY} on stdout
     * and exit 3, a tree without {@code /bin/sh}, whose shell does not run, or without glibc's
     * loader (the JRE of envd needs it); adds what every Wrenn image has (the builder's own
     * {@code /opt/wrenn}: boot chain, JRE, envd and its AOT cache, whose paths match; inittab,
     * hostname, hosts, resolver), {@code setpriv}, {@code setsid} and {@code resize2fs} where the
     * tree has none, and the user {@code user} (uid 1000) when missing; checks the JRE runs on
     * the tree's glibc; then replaces every file of the builder's root with the tree, keeping
     * only the mount points (/proc, /sys, /dev, /run, /tmp). envd keeps running from its open
     * files, and its later commands run the new tree's.
     */
    static String importRootFilesystem() {
        return """
                set -u
                new=/.wrenn-import tar=%s bb=/busybox-wrenn-import
                refuse() { echo "refused: $*"; exit 3; }
                say() { echo "import: $*" >&2; }
                in_new() { chroot "$new" /bin/sh -c "$1" >/dev/null 2>&1; }
                rm -rf "$new" && mkdir -m 0755 "$new" || exit 1
                say "unpacking $(du -h "$tar" | cut -f1) of root filesystem"
                tar -x --numeric-owner --same-owner -p -f "$tar" -C "$new" || refuse "the tarball did not unpack"
                rm -f "$tar" "$new/.dockerenv"
                [ -e "$new/bin/sh" ] || [ -L "$new/bin/sh" ] || refuse "it has no /bin/sh: not a root filesystem Wrenn can boot"
                in_new 'exit 0' || refuse "its /bin/sh does not run: not a root filesystem for x86-64 Linux"
                in_new 'test -e /lib64/ld-linux-x86-64.so.2' \
                  || refuse "it has no glibc (/lib64/ld-linux-x86-64.so.2): Wrenn's guest agent needs a glibc distribution (musl ones such as Alpine are not supported)"
                # Wrenn writes under these: a link among them must stay inside the tree (relative)
                for d in opt etc root; do
                  case "$(readlink "$new/$d")" in /*|*..*) refuse "/$d is a symbolic link out of its directory" ;; esac
                  [ -e "$new/$d" ] && [ ! -d "$new/$d" ] && refuse "/$d is not a directory"
                done
                say "adding Wrenn's boot chain, JRE and envd"
                mkdir -p "$new/opt" "$new/etc" && install -d -m 0700 "$new/root" || exit 1
                rm -rf "$new/opt/wrenn" && cp -a /opt/wrenn "$new/opt/wrenn" || exit 1
                for f in inittab hostname hosts resolv.conf mtab; do rm -rf "$new/etc/$f"; done
                cp /etc/inittab "$new/etc/inittab"
                printf 'wrenn\n' > "$new/etc/hostname"
                printf '127.0.0.1\tlocalhost\n127.0.1.1\twrenn\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$new/etc/hosts"
                printf 'nameserver 169.254.0.22\n' > "$new/etc/resolv.conf"
                ln -s ../proc/self/mounts "$new/etc/mtab"
                # a tool the tree lacks comes from the builder, with the libraries it lacks
                supply_libs() {
                  for lib in $(ldd "$@" 2>/dev/null | sort -u | awk '/=> \\//{print $3} /^\t\\/[^ ]+ \\(/{print $1}'); do
                    in_new "test -e $lib" || { mkdir -p "$new$(dirname "$lib")" && cp -L "$lib" "$new$lib"; } || exit 1
                  done
                }
                supply() {
                  mkdir -p "$new$(dirname "$2")" && cp "$1" "$new$2" && chmod 0755 "$new$2" || exit 1
                  supply_libs "$1"
                }
                # the libraries the JRE needs and the tree lacks (a no-op for a full distribution)
                supply_libs /opt/wrenn/jre/bin/* /opt/wrenn/jre/lib/*.so /opt/wrenn/jre/lib/server/*.so
                in_new 'for p in /usr/bin/setpriv /bin/setpriv /usr/sbin/setpriv /sbin/setpriv; do [ -x $p ] && exit 0; done; exit 1' \
                  || { say "adding setpriv"; supply /usr/bin/setpriv /usr/bin/setpriv; }
                in_new 'command -v setsid' || ln -s /opt/wrenn/bin/busybox "$new/usr/bin/setsid"
                in_new 'command -v resize2fs || test -x /sbin/resize2fs' || { say "adding resize2fs"; supply /sbin/resize2fs /opt/wrenn/bin/resize2fs; }
                in_new 'setpriv --help || /usr/bin/setpriv --help' || refuse "setpriv does not run on its C library"
                if ! grep -q '^user:' "$new/etc/passwd" 2>/dev/null; then
                  awk -F: '$3 == 1000 {found = 1} END {exit !found}' "$new/etc/passwd" 2>/dev/null \
                    && refuse "uid 1000 belongs to $(awk -F: '$3 == 1000 {print $1}' "$new/etc/passwd"), not to 'user'"
                  shell=/bin/sh; [ -e "$new/bin/bash" ] || [ -L "$new/bin/bash" ] && shell=/bin/bash
                  printf 'user:x:1000:1000:user:/home/user:%%s\n' "$shell" >> "$new/etc/passwd"
                  grep -q '^user:' "$new/etc/group" 2>/dev/null || printf 'user:x:1000:\n' >> "$new/etc/group"
                  [ ! -f "$new/etc/shadow" ] || printf 'user:*:19000:0:99999:7:::\n' >> "$new/etc/shadow"
                fi
                [ -d "$new/etc/sudoers.d" ] && printf 'user ALL=(ALL:ALL) NOPASSWD: ALL\n' > "$new/etc/sudoers.d/wrenn-user" \
                  && chmod 0440 "$new/etc/sudoers.d/wrenn-user"
                mkdir -p "$new/home/user" && chown 1000:1000 "$new/home/user"
                say "checking that envd's JRE runs on its C library"
                # the loader finds the JRE's libraries through /proc/self/exe ($ORIGIN)
                [ -L "$new/proc" ] && rm -f "$new/proc"
                mkdir -p "$new/proc" && mount -t proc proc "$new/proc" || exit 1
                jre=$(chroot "$new" /opt/wrenn/jre/bin/java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -version 2>&1)
                ok=$?
                umount "$new/proc" || exit 1
                [ $ok = 0 ] || { printf '%%s\n' "$jre" >&2; refuse "the JRE of Wrenn's guest agent does not run on its C library (glibc too old?)"; }
                say "replacing the builder's files with it"
                # a static busybox outside both trees does the swap (named busybox*: it picks its applet by name)
                cp /opt/wrenn/bin/busybox "$bb" || exit 1
                exec "$bb" sh -c '
                  bb=$1 new=$2
                  cd /
                  for e in /* /.[!.]* /..?*; do
                    case "$e" in /proc|/sys|/dev|/run|/tmp|/lost+found|"$new"|"$bb") continue ;; esac
                    [ -e "$e" ] || [ -L "$e" ] || continue
                    $bb rm -rf "$e" || exit 1
                  done
                  for e in "$new"/* "$new"/.[!.]* "$new"/..?*; do
                    [ -e "$e" ] || [ -L "$e" ] || continue
                    case "${e#"$new"/}" in proc|sys|dev|run|tmp|lost+found) $bb rm -rf "$e"; continue ;; esac
                    $bb mv "$e" / || exit 1
                  done
                  $bb rmdir "$new" && $bb sync && $bb rm -f "$bb"
                ' import "$bb" "$new"
                """.formatted(IMPORT_TAR);
    }
}
