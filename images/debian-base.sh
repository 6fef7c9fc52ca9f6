#!/usr/bin/env bash
# The Debian part of the `debian` template: debootstrap minbase + the packages below.
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
# a private mount namespace: whatever debootstrap mounts in the target dies with it
unshare --mount --propagation private \
  debootstrap --variant=minbase --include="$packages" bookworm "$tmp" "$mirror" \
  > "$CACHE/debootstrap.log" 2>&1 || { tail -n 20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }

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
