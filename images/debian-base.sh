#!/usr/bin/env bash
# The Debian part of the `debian` template: debootstrap minbase + the packages of debian-packages.
# Cached on its own (it is the slow step); Wrenn's files are added by debian.sh.
# usage: debian-base.sh OUTPUT_DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$1
mirror=${WRENN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=$(tr '\n' ' ' < "$IMAGES_SRC/debian-packages" | sed 's/ *$//; s/ \+/,/g')
tmp="$out.tmp"
rm -rf "$tmp"
mkdir -p "$(dirname "$out")"
# A private mount namespace: whatever is mounted in the target dies with it. debootstrap lays
# down minbase; apt (a real resolver, unlike debootstrap's --include, which fails on npm's
# dependencies) installs the packages, without recommends.
unshare --mount --propagation private /bin/bash -euo pipefail -c '
  tmp=$1 mirror=$2 packages=$3
  debootstrap --variant=minbase bookworm "$tmp" "$mirror"
  mount -t proc proc "$tmp/proc"
  mount --rbind /dev "$tmp/dev"
  cp /etc/resolv.conf "$tmp/etc/resolv.conf"
  printf "#!/bin/sh\nexit 101\n" > "$tmp/usr/sbin/policy-rc.d"; chmod 0755 "$tmp/usr/sbin/policy-rc.d"
  # no fsync per package: a failed build is thrown away anyway (halves the install here)
  echo force-unsafe-io > "$tmp/etc/dpkg/dpkg.cfg.d/wrenn-build"
  chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${packages//,/ }
  chroot "$tmp" apt-get clean
  rm -f "$tmp/usr/sbin/policy-rc.d" "$tmp/etc/resolv.conf" "$tmp/etc/dpkg/dpkg.cfg.d/wrenn-build"
  umount -l "$tmp/dev" "$tmp/proc"
' debian-base "$tmp" "$mirror" "$packages" \
  > "$CACHE/debootstrap.log" 2>&1 || { tail -n 20 "$CACHE/debootstrap.log" >&2; die "debootstrap or apt-get failed (log: $CACHE/debootstrap.log)"; }

# shrink: package caches and lists are useless without network in the sandbox
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/cache/apt/*.bin "$tmp"/var/lib/apt/lists/* \
       "$tmp"/var/log/* "$tmp"/usr/share/man/* "$tmp"/usr/share/info/* \
       "$tmp"/var/cache/debconf/*-old "$tmp"/tmp/* "$tmp"/root/.bash_history
# documentation, except each package's copyright file
find "$tmp/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$tmp/usr/share/doc" -mindepth 1 -type d -empty -delete
mkdir -p "$tmp/var/log/apt"
chroot "$tmp" dpkg-query -W -f='${Package} ${Version}\n' > "$tmp.packages"
rm -rf "$out"
mv "$tmp" "$out"
mv "$tmp.packages" "$out.packages"
summary "$(wc -l < "$out.packages") packages, $(du -sh "$out" | cut -f1)"
