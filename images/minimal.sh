#!/usr/bin/env bash
# The `minimal` template: static busybox, bash, setpriv, resize2fs, the host's glibc,
# the jlinked JRE and envd. Small and quick to boot.
# usage: minimal.sh ENVD_JAR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$IMAGES_SRC/rootfs-common.sh"

jar=$1
work=$(mktemp -d "$CACHE/minimal.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"

# Debian's merged-/usr layout for libraries; busybox applets in the classic places
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,etc,home,root,var/tmp,var/log,mnt,opt}
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
chmod 1777 "$root/var/tmp"
chmod 0700 "$root/root"

# real tools where busybox's would not do: envd switches users with util-linux's setpriv,
# the online grow needs e2fsprogs' resize2fs, E2B-style clients run commands with bash
copy_with_libs "$root" /usr/bin/setpriv /sbin/resize2fs /bin/bash
install -m 0755 /bin/busybox "$root/bin/busybox"
while read -r applet; do
  [[ -e "$root/$applet" || -L "$root/$applet" ]] && continue
  ln -s /bin/busybox "$root/$applet"
done < <(/bin/busybox --list-full)

install_wrenn "$root" "$jar"
# the public CA bundle (Debian's ca-certificates, as the debian template has it), so TLS clients a
# user brings verify servers, then the authorities the operator's guests trust besides
install -d -m 0755 "$root/etc/ssl/certs"
cat /usr/share/ca-certificates/mozilla/*.crt > "$root/etc/ssl/certs/ca-certificates.crt"
install_guest_cas "$root"
ln -sfn /opt/wrenn/bin/init "$root/sbin/init"

cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/bash
user:x:1000:1000:user:/home/user:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
user:x:1000:
nogroup:x:65534:
GROUP
printf 'root:*:19000:0:99999:7:::\nuser:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' > "$root/etc/shadow"
chmod 0600 "$root/etc/shadow"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
printf '/bin/sh\n/bin/bash\n' > "$root/etc/shells"
printf 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' > "$root/etc/profile"
install -d -m 0755 -o 1000 -g 1000 "$root/home/user"

train_aot "$root"
make_image "$root" minimal
