#!/usr/bin/env bash
# Build Wrenn's guest images into ${WRENN_IMAGES:-${WRENN_HOME:-~/.wrenn}/images}:
#   kernel/vmlinux, kernel/initrd.img,
#   teams/00000000-0000-0000-0000-000000000000/{minimal,debian}/{rootfs.ext4,rootfs.compact.ext4,template.json}
#   and teams/00000000-0000-0000-0000-000000000000/base -> debian
# Every step is skipped when its inputs (scripts, package versions, the envd jar, ...) are
# unchanged since it last succeeded. See images/README.md.
#
# usage: build.sh [kernel|minimal|debian ...]      (default: all of them)
#   WRENN_ENVD_JAR       envd jar (default: <repo>/envd/target/envd.jar; build it with Maven first)
#   WRENN_KERNEL_PKG     kernel package (default: the -unsigned twin of linux-image-cloud-amd64's)
#   WRENN_JRE_MODULES    extra JDK modules for the guest JRE (comma separated)
#   WRENN_DEBIAN_MIRROR  (default http://deb.debian.org/debian)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

targets=("$@")
((${#targets[@]})) || targets=(kernel minimal debian)
want() { local t; for t in "${targets[@]}"; do [[ $t == "$1" ]] && return 0; done; return 1; }

[[ $EUID -eq 0 ]] || die "run as root (debootstrap, chroot, mknod, namespaces)"
for tool in apt-get dpkg-deb lz4 busybox debootstrap mkfs.ext4 dumpe2fs unshare chroot; do
  command -v "$tool" > /dev/null || die "missing $tool: see images/README.md for the packages"
done
[[ -x "$JAVA_HOME/bin/jlink" ]] || die "no JDK 25 at $JAVA_HOME (set JAVA_HOME)"
mkdir -p "$WRENN_IMAGES" "$CACHE" "$STAMPS"
exec 9> "$WRENN_IMAGES/.build.lock"
flock -n 9 || { log "another build holds $WRENN_IMAGES/.build.lock, waiting"; flock 9; }
t_all=$SECONDS

# ---- kernel + initramfs ------------------------------------------------------------------
if want kernel || want minimal || want debian; then
  kernel_pkg=${WRENN_KERNEL_PKG:-}
  if [[ -z $kernel_pkg ]]; then
    abi=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    [[ -n $abi ]] || die "apt knows no linux-image-cloud-amd64: apt-get update?"
    kernel_pkg="$abi-unsigned"
  fi
  kernel_ver=$(apt-cache policy "$kernel_pkg" 2>/dev/null | awk '/Candidate:/{print $2}')
  if [[ -z $kernel_ver || $kernel_ver == "(none)" ]]; then
    # offline or the package vanished from the mirror: keep what was built
    [[ -f "$WRENN_IMAGES/kernel/version" ]] || die "apt offers no $kernel_pkg"
    kernel_pkg=$(sed -n 's/^package=//p' "$WRENN_IMAGES/kernel/version")
    kernel_ver=$(sed -n 's/^version=//p' "$WRENN_IMAGES/kernel/version")
  fi
  h=$(inputs_hash "$IMAGES_SRC/kernel.sh" "$kernel_pkg" "$kernel_ver")
  run_step kernel "$kernel_pkg $kernel_ver" "$h" \
    "$WRENN_IMAGES/kernel/vmlinux" "$CACHE/kernel/modules" -- "$IMAGES_SRC/kernel.sh" "$kernel_pkg" "$kernel_ver"

  h=$(inputs_hash "$IMAGES_SRC/initrd.sh" "$IMAGES_SRC/guest/initramfs-init" \
      "busybox $(deb_version busybox-static)" "kernel $(stamp_value kernel)")
  run_step initrd "busybox initramfs + virtio modules" "$h" "$WRENN_IMAGES/kernel/initrd.img" -- "$IMAGES_SRC/initrd.sh"
fi

# ---- JRE + envd --------------------------------------------------------------------------
if want minimal || want debian; then
  envd_jar=${WRENN_ENVD_JAR:-$REPO_ROOT/envd/target/envd.jar}
  [[ -f $envd_jar ]] || die "no envd jar at $envd_jar: build it first (mvn -pl envd -am package) or set WRENN_ENVD_JAR"
  # a private copy: Maven may rewrite the original while we build
  cp "$envd_jar" "$CACHE/envd.jar.tmp" && mv "$CACHE/envd.jar.tmp" "$CACHE/envd.jar"
  envd_jar="$CACHE/envd.jar"
  envd_hash=$(file_hash "$envd_jar")
  modules=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$envd_jar" 2>/dev/null) \
    || die "jdeps failed on $envd_jar"
  modules=$(printf '%s\n' ${modules//,/ } ${WRENN_JRE_MODULES:+${WRENN_JRE_MODULES//,/ }} java.base | sort -u | paste -sd,)
  h=$(inputs_hash "$IMAGES_SRC/jre.sh" "$JAVA_HOME/release" "$modules")
  run_step jre "jlink $modules" "$h" "$CACHE/jre" -- "$IMAGES_SRC/jre.sh" "$modules"

  # what every template's Wrenn part is made of
  common=("$IMAGES_SRC/rootfs-common.sh" "$IMAGES_SRC/guest/wrenn-setup"
          "$IMAGES_SRC/guest/envd" "$IMAGES_SRC/guest/inittab" "jre $(stamp_value jre)" "envd $envd_hash"
          "busybox $(deb_version busybox-static)" "libc6 $(deb_version libc6)"
          "ca-certificates $(deb_version ca-certificates)" $(guest_ca_files))
  tdir="$WRENN_IMAGES/teams/$PLATFORM_TEAM"
fi

if want minimal; then
  h=$(inputs_hash "$IMAGES_SRC/minimal.sh" "${common[@]}" "bash $(deb_version bash)" \
      "util-linux $(deb_version util-linux)" "e2fsprogs $(deb_version e2fsprogs)" "libcap-ng0 $(deb_version libcap-ng0)")
  run_step minimal "busybox + JRE + envd" "$h" "$tdir/minimal/rootfs.ext4" "$tdir/minimal/template.json" \
    -- "$IMAGES_SRC/minimal.sh" "$envd_jar"
fi

if want debian; then
  mirror=${WRENN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  h=$(inputs_hash "$IMAGES_SRC/debian-base.sh" "$IMAGES_SRC/debian-packages" \
      "debootstrap $(deb_version debootstrap)" "$mirror")
  run_step debian-base "debootstrap bookworm minbase + $(paste -sd' ' "$IMAGES_SRC/debian-packages")" "$h" \
    "$CACHE/debian-base" -- "$IMAGES_SRC/debian-base.sh" "$CACHE/debian-base"
  h=$(inputs_hash "$IMAGES_SRC/debian.sh" "${common[@]}" "base $(stamp_value debian-base)")
  run_step debian "Debian + JRE + envd" "$h" "$tdir/debian/rootfs.ext4" "$tdir/debian/template.json" \
    -- "$IMAGES_SRC/debian.sh" "$CACHE/debian-base" "$envd_jar"
  # `base` (the default template of E2B's SDKs) is another name for debian
  [[ $(readlink "$tdir/base" 2>/dev/null) == debian ]] || ln -sfn debian "$tdir/base"
fi

log "all done in $((SECONDS - t_all)) s: $WRENN_IMAGES"
