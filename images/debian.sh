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
install_guest_cas "$root"

# the user sandboxes run as by default, with passwordless sudo
chroot "$root" useradd --create-home --uid 1000 --user-group --shell /bin/bash user
printf 'user ALL=(ALL:ALL) NOPASSWD: ALL\n' > "$root/etc/sudoers.d/wrenn-user"
chmod 0440 "$root/etc/sudoers.d/wrenn-user"
# what code written for other sandboxes expects: `pip install` works (as the user it installs
# into ~/.local) instead of refusing with Debian's externally-managed-environment error, and
# apt sees the stable updates and security fixes, not only the release
printf '[global]\nbreak-system-packages = true\n' > "$root/etc/pip.conf"
mirror=${WRENN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s-security bookworm-security main\n' \
  "$mirror" "$mirror" "$mirror" > "$root/etc/apt/sources.list"
# no password for root either (locked); no machine identity baked into the template
chroot "$root" passwd -l root > /dev/null
: > "$root/etc/machine-id"

train_aot "$root"
make_image "$root" debian
