#!/usr/bin/env bash
# Make a Wrenn template from a root filesystem tarball (e.g. `docker export CONTAINER`):
# Wrenn's boot chain, the JRE and envd are added, the tools envd and the boot need are
# supplied from this host when the image lacks them (setpriv, resize2fs, glibc for the JRE),
# a `user` (uid 1000) is created when missing, and the result is written like the base
# templates: $WRENN_IMAGES/teams/TEAM/NAME/{rootfs.ext4,template.json}.
#
# usage: import.sh TARBALL NAME [TEAM_UUID]      (TEAM defaults to the platform team)
#   WRENN_ENVD_JAR as for build.sh; the JRE comes from build.sh's cache (run build.sh first).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$IMAGES_SRC/rootfs-common.sh"

[[ $# -ge 2 ]] || { sed -n '2,9p' "$0"; exit 2; }
tarball=$1 name=$2 team=${3:-$PLATFORM_TEAM}
[[ $EUID -eq 0 ]] || die "run as root"
[[ $name =~ ^[a-z0-9][a-z0-9._-]*$ ]] || die "bad template name: $name"
[[ $team =~ ^[0-9a-f-]{36}$ ]] || die "bad team uuid: $team"
[[ -d "$CACHE/jre" ]] || die "no JRE in $CACHE/jre: run images/build.sh first"
jar=${WRENN_ENVD_JAR:-$CACHE/envd.jar}
[[ -f $jar ]] || die "no envd jar at $jar"

mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/import.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"
t0=$SECONDS
log "$name: unpacking $tarball"
tar -x --numeric-owner -p -f "$tarball" -C "$root"
rm -f "$root/.dockerenv"

install_wrenn "$root" "$jar"

# what envd and wrenn-setup call, from this host when the image has none
has() { local p; for p in "$@"; do [[ -x "$root$p" || -L "$root$p" ]] && return 0; done; return 1; }
has /usr/bin/setpriv /bin/setpriv /usr/sbin/setpriv /sbin/setpriv || copy_with_libs "$root" /usr/bin/setpriv
has /usr/bin/setsid /bin/setsid /usr/sbin/setsid /sbin/setsid || ln -s /opt/wrenn/bin/busybox "$root/usr/bin/setsid"
has /bin/sh || ln -s /opt/wrenn/bin/busybox "$root/bin/sh"
if ! has /sbin/resize2fs /usr/sbin/resize2fs /bin/resize2fs /usr/bin/resize2fs; then
  install -m 0755 "$(readlink -f /sbin/resize2fs)" "$root/opt/wrenn/bin/resize2fs"
  copy_libs_of "$root" /sbin/resize2fs
fi

# the default user
if ! grep -q '^user:' "$root/etc/passwd" 2>/dev/null; then
  if awk -F: '$3 == 1000 {found = 1} END {exit !found}' "$root/etc/passwd" 2>/dev/null; then
    die "uid 1000 is taken in the image by $(awk -F: '$3 == 1000 {print $1}' "$root/etc/passwd"): rename it to user first"
  fi
  shell=/bin/sh; has /bin/bash && shell=/bin/bash
  printf 'user:x:1000:1000:user:/home/user:%s\n' "$shell" >> "$root/etc/passwd"
  grep -q '^user:' "$root/etc/group" 2>/dev/null || printf 'user:x:1000:\n' >> "$root/etc/group"
  [[ ! -f "$root/etc/shadow" ]] || printf 'user:*:19000:0:99999:7:::\n' >> "$root/etc/shadow"
fi
install -d -m 0755 -o 1000 -g 1000 "$root/home/user"

train_aot "$root"
make_image "$root" "$name" "$team"
log "$name: imported in $((SECONDS - t0)) s"
