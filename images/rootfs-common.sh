# Steps shared by both templates. Sourced by minimal.sh and debian.sh.
# shellcheck shell=bash

# install_wrenn ROOT ENVD_JAR: Wrenn's boot chain, the JRE and envd under /opt/wrenn.
install_wrenn() {
  local root=$1 jar=$2
  install -d -m 0755 "$root/opt/wrenn/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" \
    "$root/run" "$root/sbin"
  # root's home is root's alone (install -d also resets the mode of a directory that exists)
  install -d -m 0700 "$root/root"
  install -d -m 1777 "$root/tmp"
  install -m 0755 /bin/busybox "$root/opt/wrenn/bin/busybox"
  ln -sfn busybox "$root/opt/wrenn/bin/init"
  install -m 0755 "$IMAGES_SRC/guest/wrenn-setup" "$root/opt/wrenn/bin/wrenn-setup"
  install -m 0755 "$IMAGES_SRC/guest/envd" "$root/opt/wrenn/bin/envd"
  install -m 0644 "$IMAGES_SRC/guest/inittab" "$root/etc/inittab"
  rm -rf "$root/opt/wrenn/jre"
  cp -a "$CACHE/jre" "$root/opt/wrenn/jre"
  install -m 0644 "$jar" "$root/opt/wrenn/envd.jar"
  printf 'wrenn\n' > "$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\twrenn\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
  # the guest's resolver is its gateway: the host agent forwards it to the host's resolver
  printf 'nameserver 169.254.0.22\n' > "$root/etc/resolv.conf"
  ln -sfn ../proc/self/mounts "$root/etc/mtab"
  # the JRE's libraries (glibc) must be present: a no-op where the distribution has them
  local f
  for f in "$root"/opt/wrenn/jre/bin/* "$root"/opt/wrenn/jre/lib/*.so "$root"/opt/wrenn/jre/lib/server/*.so; do
    copy_libs_of "$root" "$f"
  done
}

# install_guest_cas ROOT: those authorities into ROOT's trust store. A distribution with
# update-ca-certificates gets them as local certificates (its bundle and hashed links follow);
# otherwise (minimal) they are appended to the bundle.
install_guest_cas() {
  local root=$1 f n=0
  while read -r f; do
    [[ -n $f ]] || continue
    n=$((n + 1))
    if [[ -x "$root/usr/sbin/update-ca-certificates" ]]; then
      install -D -m 0644 "$f" "$root/usr/local/share/ca-certificates/wrenn-guest-$n.crt"
    else
      { cat "$f"; echo; } >> "$root/etc/ssl/certs/ca-certificates.crt"
    fi
  done < <(guest_ca_files)
  if [[ -x "$root/usr/sbin/update-ca-certificates" ]]; then
    chroot "$root" update-ca-certificates --fresh > /dev/null
  fi
}

# copy_libs_of ROOT FILE: the host's shared libraries FILE needs, where ROOT lacks them
copy_libs_of() {
  local root=$1 f=$2 lib
  while read -r lib; do
    [[ -e "$root$lib" ]] || install -D -m 0755 "$lib" "$root$lib"
  done < <(ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' | grep -E '^/(usr/)?lib' || true)
}

# copy_with_libs ROOT FILE...: FILEs (same path inside ROOT) with the libraries they need
copy_with_libs() {
  local root=$1 f; shift
  for f in "$@"; do
    install -D -m "$(stat -c %a "$(readlink -f "$f")")" "$(readlink -f "$f")" "$root$f"
    copy_libs_of "$root" "$f"
  done
}

# train_aot ROOT: run envd once inside ROOT (chroot, private mount/net/pid namespaces, so
# paths match the guest's and nothing outlives the run), exercise it, stop it: the JVM writes
# /opt/wrenn/envd.aot as it exits.
train_aot() {
  local root=$1 body='{"process":{"cmd":"/bin/true","args":[]}}'
  rm -f "$root/opt/wrenn/envd.aot"
  # a Connect stream request: flags byte, big-endian length, JSON
  printf "\\000\\000\\000\\000\\$(printf %03o ${#body})%s" "$body" > "$root/opt/wrenn/train-start.bin"
  cat > "$root/opt/wrenn/train.sh" <<'TRAIN'
bb=/opt/wrenn/bin/busybox
u=http://127.0.0.1:49983
$bb ip link set lo up
WRENN_ENVD_TRAIN=/opt/wrenn/envd.aot /opt/wrenn/bin/envd > /tmp/train.log 2>&1 &
pid=$!
i=0
until $bb wget -q -O /dev/null $u/health 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
    echo "envd did not answer /health during AOT training:"; cat /tmp/train.log; exit 1
  fi
  $bb usleep 100000
done
# the common paths (files, filesystem and process RPCs), so their classes land in the cache;
# failures here do not matter. Never send /init a timestamp here: envd would set the clock,
# and this chroot shares the build host's kernel.
echo hello > /tmp/upload.txt
json='Content-Type: application/json'
for i in 1 2 3 4 5; do
  $bb wget -q -O /dev/null $u/health
  $bb wget -q -O /dev/null --header "$json" --post-data '{"envVars":{"WRENN":"1"}}' $u/init
  $bb wget -q -O /dev/null $u/metrics
  $bb wget -q -O /dev/null --header 'Content-Type: application/octet-stream' --post-file /tmp/upload.txt "$u/files?path=/tmp/uploaded.txt"
  $bb wget -q -O /dev/null "$u/files?path=/tmp/uploaded.txt"
  $bb wget -q -O /dev/null --header "$json" --post-data '{"path":"/etc"}' $u/filesystem.Filesystem/Stat
  $bb wget -q -O /dev/null --header "$json" --post-data '{"path":"/etc"}' $u/filesystem.Filesystem/ListDir
  $bb wget -q -O /dev/null --header 'Content-Type: application/connect+json' --post-file /opt/wrenn/train-start.bin $u/process.Process/Start
done
kill $pid
wait $pid
[ -s /opt/wrenn/envd.aot ] || { echo "no AOT cache written:"; cat /tmp/train.log; exit 1; }
TRAIN
  unshare --mount --net --pid --fork --propagation private /bin/bash -euo pipefail -c '
    root=$1
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs tmpfs "$root/tmp"
    mount -t tmpfs tmpfs "$root/run"
    exec chroot "$root" /opt/wrenn/bin/busybox sh /opt/wrenn/train.sh
  ' train "$root"
  rm -f "$root/opt/wrenn/train.sh" "$root/opt/wrenn/train-start.bin"
  [[ -s "$root/opt/wrenn/envd.aot" ]] || die "AOT training wrote no cache"
}

# make_image ROOT NAME [TEAM]: the template's two root filesystems and its description under
# the team (default: the platform team), atomically:
#   rootfs.ext4          ext4 at the default disk size ($WRENN_IMAGE_SIZE_MB, 5120 MiB), sparse:
#                        a sandbox with the default disk boots it as it is (no grow in the guest)
#   rootfs.compact.ext4  the same tree in a filesystem just big enough for it: the base of a
#                        sandbox asking for a smaller disk (the guest grows it to that disk)
# The default-size one is the compact one grown offline (resize2fs on the host, native speed),
# so both hold the same files.
JOURNAL_MB=64
make_image() {
  local root=$1 name=$2 team=${3:-$PLATFORM_TEAM}
  local dest="$WRENN_IMAGES/teams/$team/$name"
  local used files compact size=${WRENN_IMAGE_SIZE_MB:-5120}
  used=$(du -sm "$root" | cut -f1)
  files=$(find "$root" | wc -l)
  # room for the files, the journal and a margin
  compact=$(( (used * 5 / 4 + 64 + JOURNAL_MB + 31) / 32 * 32 ))
  (( size >= compact )) || size=$compact
  mkdir -p "$dest"
  rm -f "$dest"/*.tmp
  # Fixed geometry rather than mke2fs's choice for a small filesystem (1 KiB blocks, a 4-8 MiB
  # journal), which the grown filesystem would keep: 4 KiB blocks, the journal a 5 GiB
  # filesystem gets, and inodes for the files plus room (a grown filesystem gets as many per
  # block group as the compact one has).
  # A new file reads as zeros: assume_storage_prezeroed keeps mke2fs from writing (or
  # preallocating) the journal and inode tables, so the image holds only the blocks in use.
  mkfs.ext4 -q -F -L wrenn-root -m 0 -b 4096 -I 256 -J size=$JOURNAL_MB -N $((files * 3 / 2 + 8192)) \
    -E assume_storage_prezeroed=1 -d "$root" "$dest/rootfs.compact.ext4.tmp" "${compact}M" > /dev/null
  cp --sparse=always "$dest/rootfs.compact.ext4.tmp" "$dest/rootfs.ext4.tmp"
  resize2fs -f "$dest/rootfs.ext4.tmp" "${size}M" > /dev/null 2>&1 || die "resize2fs of $name to ${size} MiB failed"
  printf '{"name":"%s","default_user":"user","default_workdir":"/home/user","image_size_mb":%d,"compact_size_mb":%d}\n' \
    "$name" "$size" "$compact" > "$dest/template.json.tmp"
  mv "$dest/rootfs.compact.ext4.tmp" "$dest/rootfs.compact.ext4"
  mv "$dest/rootfs.ext4.tmp" "$dest/rootfs.ext4"
  mv "$dest/template.json.tmp" "$dest/template.json"
  local free_inodes allocated
  free_inodes=$(dumpe2fs -h "$dest/rootfs.ext4" 2>/dev/null | awk -F: '/^Free inodes/{gsub(/ /,"",$2); print $2}')
  allocated=$(du -m "$dest/rootfs.ext4" | cut -f1)
  summary "rootfs.ext4 ${size} MiB (${allocated} MiB allocated; ${used} MiB in $files files, $free_inodes inodes free), compact ${compact} MiB"
}
