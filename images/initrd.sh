#!/usr/bin/env bash
# Guest initramfs: static busybox + the virtio modules of the cached kernel.
# usage: initrd.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# the drivers microvm's devices need; their dependencies are added, each loaded after the
# modules it depends on (read from each module's modinfo "depends=")
WANTED="virtio_mmio virtio_blk virtio_net"

mods="$CACHE/kernel/modules"
[[ -d "$mods" ]] || die "no cached kernel modules: build the kernel first"
work=$(mktemp -d "$CACHE/initrd.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,newroot,etc,lib/modules}

install -m 0755 /bin/busybox "$root/bin/busybox"
for applet in sh mount umount insmod cat echo usleep switch_root; do
  ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$IMAGES_SRC/guest/initramfs-init" "$root/init"

MODULES=""
add_module() {
  local m=$1 f d
  [[ " $MODULES " == *" $m "* ]] && return 0
  f=$(find "$mods/kernel" -name "$m.ko" | head -n1)
  [[ -n "$f" ]] || die "module $m.ko not found in the kernel package"
  for d in $(grep -ao 'depends=[A-Za-z0-9_,-]*' "$f" | head -n1 | cut -d= -f2 | tr ',' ' '); do
    add_module "${d//-/_}"
  done
  install -m 0644 "$f" "$root/lib/modules/$m.ko"
  MODULES="${MODULES:+$MODULES }$m"
}
for m in $WANTED; do add_module "$m"; done
echo "$MODULES" > "$root/etc/modules"
# the kernel needs /dev/console in the archive to give init its stdio
mknod -m 0600 "$root/dev/console" c 5 1

(cd "$root" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null) | gzip -9n > "$work/initrd.img"
mv "$work/initrd.img" "$WRENN_IMAGES/kernel/initrd.img"
summary "$(du -h "$WRENN_IMAGES/kernel/initrd.img" | cut -f1) ($MODULES)"
