#!/usr/bin/env bash
# The `debian` template: the cached debootstrap tree (debian-base.sh) + Wrenn's boot chain,
# the jlinked JRE and envd. Debian has no init system here: busybox init runs the guest.
# usage: debian.sh BASE_DIR ENVD_JAR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$IMAGES_SRC/rootfs-common.sh"

base=$1 jar=$2
work=$(mktemp -d "$CACHE/debian.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
cp -a "$base" "$root"

install_wrenn "$root" "$jar"

# the user sandboxes run as by default, with passwordless sudo
chroot "$root" useradd --create-home --uid 1000 --user-group --shell /bin/bash user
printf 'user ALL=(ALL:ALL) NOPASSWD: ALL\n' > "$root/etc/sudoers.d/wrenn-user"
chmod 0440 "$root/etc/sudoers.d/wrenn-user"
# no password for root either (locked); no machine identity baked into the template
chroot "$root" passwd -l root > /dev/null
: > "$root/etc/machine-id"

train_aot "$root"
make_image "$root" debian
