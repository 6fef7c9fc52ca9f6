#!/usr/bin/env bash
# Guest kernel: Debian's cloud kernel, unpacked to an uncompressed vmlinux (PVH boot) plus
# its module tree (cached for the initramfs).
# usage: kernel.sh PACKAGE VERSION
set -euo pipefail
source "$(dirname "$0")/lib.sh"

pkg=$1 version=$2
work=$(mktemp -d "$CACHE/kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$work" && apt-get download -q "$pkg=$version" >/dev/null 2>&1) \
  || (cd "$work" && apt-get download "$pkg=$version") || die "apt-get download $pkg=$version"
dpkg-deb -x "$work"/*.deb "$work/root"

vmlinuz=$(ls "$work"/root/boot/vmlinuz-*)
release=${vmlinuz##*/vmlinuz-}
# The bzImage carries an LZ4 (legacy frame) payload: find its magic and decompress from there.
offset=$(grep -obUaP '\x02\x21\x4c\x18' "$vmlinuz" | head -n1 | cut -d: -f1)
[[ -n "$offset" ]] || die "no LZ4 payload in $vmlinuz"
tail -c +$((offset + 1)) "$vmlinuz" | lz4 -dc > "$work/vmlinux" 2>/dev/null || true
[[ "$(head -c4 "$work/vmlinux" | od -An -tx1 | tr -d ' ')" == 7f454c46 ]] || die "decompressed kernel is not ELF"
grep -qa 'Xen' "$work/vmlinux" || die "vmlinux has no Xen/PVH note"

mkdir -p "$WRENN_IMAGES/kernel" "$CACHE/kernel"
rm -rf "$CACHE/kernel/modules"
mv "$work/root/lib/modules/$release" "$CACHE/kernel/modules"
printf '%s\n' "$release" > "$CACHE/kernel/release"
mv "$work/vmlinux" "$WRENN_IMAGES/kernel/vmlinux.tmp"
mv "$WRENN_IMAGES/kernel/vmlinux.tmp" "$WRENN_IMAGES/kernel/vmlinux"
printf 'package=%s\nversion=%s\nrelease=%s\n' "$pkg" "$version" "$release" > "$WRENN_IMAGES/kernel/version"
summary "$pkg $version ($release), vmlinux $(du -h "$WRENN_IMAGES/kernel/vmlinux" | cut -f1)"
