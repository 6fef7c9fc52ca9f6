#!/usr/bin/env bash
# Boot a Wrenn template under QEMU exactly as the host agent does and wait for envd.
#
# usage: smoke.sh [TEMPLATE...] [-n BOOTS]    (TEMPLATE: NAME or TEAM_UUID/NAME; default: minimal debian)
#
# Per run: a throw-away network namespace wrenn-smoke-<pid> with tap0 + veth0, a host veth
# wrs<slot> (first free slot from $WRENN_SMOKE_SLOT, default 16000), nftables as in
# docs/ARCHITECTURE.md; per boot a qcow2 overlay over the template's rootfs.ext4 and QEMU
# microvm under TCG. It reports QEMU start -> /health time, the grown root filesystem (from the
# serial log and through envd) and a few checks run through envd, then removes everything it
# made, also on failure. A boot that does not answer within $WRENN_SMOKE_TIMEOUT s (default 30)
# is retried once. More knobs: WRENN_SMOKE_DISK (5G), WRENN_SMOKE_MEM (256),
# WRENN_SMOKE_APPEND (extra kernel arguments), WRENN_SMOKE_NO_TSC=1, WRENN_SMOKE_DEBUG=1.
# The last boot's serial log is kept in $WRENN_IMAGES/.cache/smoke-<template>.serial.log.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

boots=1 templates=()
while (($#)); do
  case $1 in
    -n) boots=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) templates+=("$1"); shift ;;
  esac
done
((${#templates[@]})) || templates=(minimal debian)
timeout=${WRENN_SMOKE_TIMEOUT:-30}
slot=${WRENN_SMOKE_SLOT:-16000}
disk_size=${WRENN_SMOKE_DISK:-5G}
mem=${WRENN_SMOKE_MEM:-256}
cmdline="console=ttyS0 quiet panic=-1 reboot=t root=/dev/vda rw init=/opt/wrenn/bin/init"
# see host_tsc_khz in lib.sh: without it a boot on a busy host can hang before any output
tsc_khz=$(host_tsc_khz)
[[ -n $tsc_khz && ${WRENN_SMOKE_NO_TSC:-0} != 1 ]] && cmdline+=" tsc_early_khz=$tsc_khz"
cmdline+="${WRENN_SMOKE_APPEND:+ $WRENN_SMOKE_APPEND}"

kernel="$WRENN_IMAGES/kernel/vmlinux"
initrd="$WRENN_IMAGES/kernel/initrd.img"
[[ -f $kernel && -f $initrd ]] || die "no kernel in $WRENN_IMAGES/kernel: run images/build.sh"

ns="wrenn-smoke-$$"
work=$(mktemp -d /tmp/wrenn-smoke.XXXXXX)
qemu_pid='' host_veth=''

stop_qemu() {
  [[ -n $qemu_pid ]] || return 0
  if kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$qemu_pid" 2>/dev/null || true
  fi
  wait "$qemu_pid" 2>/dev/null || true
  qemu_pid=
}
cleanup() {
  stop_qemu
  ip netns del "$ns" 2>/dev/null || true
  [[ -z $host_veth ]] || ip link del "$host_veth" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the namespace, as the host agent builds it -------------------------------------------
ip netns add "$ns"
# the first free slot from $slot on (smoke tests may run side by side); the host end is
# named wrs<n>, not the agent's wrh<n>, and an address already in use is skipped
for ((; slot <= 16383; slot++)); do
  # slot n: host end 10.231.{n/64}.{(n%64)*4+1}/30, namespace end +1
  net_a=$((slot / 64)) net_b=$(((slot % 64) * 4))
  host_ip="10.231.$net_a.$((net_b + 1))" ns_ip="10.231.$net_a.$((net_b + 2))"
  ip -o addr show | grep -q " $host_ip/" && continue
  if ip link add "wrs$slot" type veth peer name veth0 netns "$ns" 2>/dev/null; then
    host_veth="wrs$slot"; break
  fi
done
[[ -n $host_veth ]] || die "no free smoke-test slot from ${WRENN_SMOKE_SLOT:-16000} on"
ip addr add "$host_ip/30" dev "$host_veth"
ip link set "$host_veth" up
ip -n "$ns" link set lo up
ip -n "$ns" addr add "$ns_ip/30" dev veth0
ip -n "$ns" link set veth0 up
ip -n "$ns" tuntap add dev tap0 mode tap
ip -n "$ns" addr add 169.254.0.22/30 dev tap0
ip -n "$ns" link set tap0 up
# the guest's MAC is fixed: a permanent neighbour entry spares the first packets an ARP
# round (and a failed resolution while the guest boots would hold them back for seconds)
ip -n "$ns" neigh replace 169.254.0.21 lladdr 52:54:00:00:00:21 dev tap0 nud permanent
ip netns exec "$ns" sh -c "echo 1 > /proc/sys/net/ipv4/ip_forward"
ip netns exec "$ns" nft -f - <<NFT
table ip wrenn {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "veth0" ip daddr $ns_ip meta l4proto tcp dnat to 169.254.0.21
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "veth0" oifname "tap0" accept
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "tap0" ct state established,related accept
    iifname "tap0" drop
  }
}
NFT

now_ms() { date +%s%3N; }
healthy() {
  local code
  code=$(curl -s -o /dev/null --connect-timeout 0.3 --max-time 5 -w '%{http_code}' "http://$ns_ip:49983/health" 2>/dev/null) || true
  [[ ${WRENN_SMOKE_DEBUG:-0} == 1 ]] && log "health: $code; serial: $(grep -ac . "$work/serial.log" 2>/dev/null) lines, ready: $(grep -ac 'ready on' "$work/serial.log" 2>/dev/null)"
  [[ $code == 2* ]]
}

# boot TEMPLATE_DIR: start QEMU on a fresh overlay and wait for envd; sets boot_ms
boot() {
  local dir=$1 t0
  rm -f "$work/overlay.qcow2" "$work/serial.log"
  qemu-img create -q -f qcow2 -F raw -b "$dir/rootfs.ext4" "$work/overlay.qcow2" "$disk_size"
  t0=$(now_ms)
  ip netns exec "$ns" qemu-system-x86_64 \
    -M microvm -accel tcg -cpu max -m "$mem" -smp 1 -nodefaults -no-user-config -display none \
    -no-reboot -serial "file:$work/serial.log" \
    -kernel "$kernel" -initrd "$initrd" \
    -append "$cmdline" \
    -drive "id=root,file=$work/overlay.qcow2,format=qcow2,if=none,cache=unsafe" \
    -device virtio-blk-device,drive=root \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
    -device virtio-net-device,netdev=n0,mac=52:54:00:00:00:21 \
    -qmp "unix:$work/qmp.sock,server,nowait" 2> "$work/qemu.err" &
  qemu_pid=$!
  while ! healthy; do
    if ! kill -0 "$qemu_pid" 2>/dev/null; then
      cp "$work/serial.log" "$CACHE/smoke-last-serial.log" 2>/dev/null || true
      log "QEMU exited before envd answered; serial log (all of it: $CACHE/smoke-last-serial.log):"
      grep -av '^\[ *[0-9.]*\]  ' "$work/serial.log" | tail -n 30 >&2 || true
      qemu_pid=; return 1
    fi
    if (( $(now_ms) - t0 > timeout * 1000 )); then
      cp "$work/serial.log" "$CACHE/smoke-last-serial.log" 2>/dev/null || true
      log "no /health after ${timeout} s; serial log (all of it: $CACHE/smoke-last-serial.log):"
      tail -n 30 "$work/serial.log" >&2 || true
      return 1
    fi
    sleep 0.05
  done
  boot_ms=$(( $(now_ms) - t0 ))
}

# envd_run USER CMD ARG...: run a command through envd's process API (Connect server stream,
# JSON codec) as USER and print its stdout
envd_run() {
  local user=$1 cmd=$2 args='' a body len; shift 2
  for a in "$@"; do args+="${args:+,}\"$a\""; done
  body="{\"process\":{\"cmd\":\"$cmd\",\"args\":[$args]}}"
  len=${#body}
  { printf '\x00'; printf "\\x$(printf %02x $((len >> 24 & 255)))\\x$(printf %02x $((len >> 16 & 255)))\\x$(printf %02x $((len >> 8 & 255)))\\x$(printf %02x $((len & 255)))"; printf '%s' "$body"; } \
    > "$work/req.bin"
  curl -s --max-time 20 -H 'Content-Type: application/connect+json' -H 'Connect-Protocol-Version: 1' \
    -H "Authorization: Basic $(printf '%s:' "$user" | base64)" \
    --data-binary "@$work/req.bin" "http://$ns_ip:49983/process.Process/Start" 2>/dev/null \
    | grep -ao '"stdout":"[^"]*"' | cut -d'"' -f4 | while read -r b; do printf '%s' "$b" | base64 -d; done || true
}

# check NAME EXPECTED USER CMD ARG...: compare a command's output through envd
check() {
  local what=$1 want=$2 got; shift 2
  got=$(envd_run "$@" | tr '\n' ' ' | sed 's/ *$//')
  if [[ $got == "$want" ]]; then checks+=" $what:ok"
  else checks+=" $what:FAILED(got '$got', want '$want')"; failed=1; fi
}

failed=0
for name in "${templates[@]}"; do
  # NAME (a platform template) or TEAM_UUID/NAME
  if [[ $name == */* ]]; then dir="$WRENN_IMAGES/teams/$name"; name=${name#*/}
  else dir="$WRENN_IMAGES/teams/$PLATFORM_TEAM/$name"; fi
  [[ -f "$dir/rootfs.ext4" ]] || { log "$name: no rootfs.ext4 in $dir"; failed=1; continue; }
  for i in $(seq "$boots"); do
    if ! boot "$dir"; then
      stop_qemu
      log "$name: boot $i did not reach envd, retrying once"
      if ! boot "$dir"; then stop_qemu; log "$name: FAILED"; failed=1; continue; fi
    fi
    # the root filesystem is grown in the background after boot: wait for its line
    grown=
    for _ in $(seq 100); do
      grown=$(grep -a 'root filesystem grown\|resize2fs /dev/vda failed' "$work/serial.log" || true)
      [[ -n $grown ]] && break
      sleep 0.1
    done
    df=$(envd_run root /bin/df -m / | awk 'NR==2 {print $2 " MiB, " $4 " MiB free (via envd)"}')
    checks=
    check user "1000 /home/user wrenn" user /bin/sh -c 'id -u; echo $HOME; hostname'
    check net "169.254.0.21/30" root /bin/sh -c "/opt/wrenn/bin/busybox ip -o -4 addr show eth0 | awk '{print \$4}'"
    guest_now=$(envd_run root /bin/date +%s) host_now=$(date +%s)
    if [[ -n $guest_now ]] && (( guest_now - host_now < 5 && host_now - guest_now < 5 )); then checks+=" clock:ok"
    else checks+=" clock:off(guest ${guest_now:-?}, host $host_now)"; fi
    if [[ $name == debian ]]; then
      check sudo 0 user /usr/bin/sudo -n id -u
      check python "3" user /usr/bin/python3 -c 'import sys; print(sys.version_info[0])'
    fi
    ready=$(grep -a -m1 'ready on' "$work/serial.log" | tr -d '\r' || true)
    log "$name: boot $i: /health after ${boot_ms} ms | ${grown:-rootfs not grown yet} | ${df:-df via envd: n/a} | overlay $(du -k "$work/overlay.qcow2" | cut -f1) KiB | checks:$checks | serial: ${ready:-no envd line}"
    mkdir -p "$CACHE" && cp "$work/serial.log" "$CACHE/smoke-$name.serial.log"
    [[ $grown == *grown* ]] || failed=1
    stop_qemu
  done
done
exit "$failed"
