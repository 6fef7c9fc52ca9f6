# Shared helpers for the Wrenn image scripts. Sourced, never executed.
# shellcheck shell=bash

: "${WRENN_IMAGES:=${WRENN_HOME:-$HOME/.wrenn}/images}"
IMAGES_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$IMAGES_SRC/.." && pwd)
CACHE="$WRENN_IMAGES/.cache"
STAMPS="$WRENN_IMAGES/.stamps"
PLATFORM_TEAM=00000000-0000-0000-0000-000000000000
# the JDK whose jlink makes the guest JRE: must be 25 or newer (envd's bytecode and AOT cache)
jdk_major() { sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null; }
JAVA_HOME=${WRENN_JAVA_HOME:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}}
jdk=$(jdk_major "$JAVA_HOME")
if [[ -z $jdk || $jdk -lt 25 ]]; then JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; fi
unset jdk
export WRENN_IMAGES IMAGES_SRC REPO_ROOT CACHE STAMPS PLATFORM_TEAM JAVA_HOME

log() { printf '[images %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
# summary TEXT: a step's result; build.sh prints it on the step's "done" line
summary() { if [[ -n ${WRENN_STEP_SUMMARY:-} ]]; then printf '%s\n' "$*" > "$WRENN_STEP_SUMMARY"; else log "$*"; fi; }
die() { log "ERROR: $*"; exit 1; }

# sha256 of a file's contents
file_hash() { sha256sum "$1" | cut -c1-64; }

# hash of everything given: files by content (name + bytes), other words literally
inputs_hash() {
  local x
  for x in "$@"; do
    if [[ -f "$x" ]]; then printf 'file %s %s\n' "${x#"$IMAGES_SRC"/}" "$(file_hash "$x")"
    else printf 'word %s\n' "$x"; fi
  done | sha256sum | cut -c1-64
}

# the installed version of a Debian package (empty when not installed)
deb_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

# stamp_current NAME HASH: true when step NAME last succeeded with these inputs
stamp_current() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_write() { mkdir -p "$STAMPS"; printf '%s\n' "$2" > "$STAMPS/$1.tmp"; mv "$STAMPS/$1.tmp" "$STAMPS/$1"; }
stamp_value() { cat "$STAMPS/$1" 2>/dev/null || echo none; }

# run_step NAME "what" HASH OUTPUT... -- COMMAND...
# Skips COMMAND when the stamp matches HASH and every OUTPUT exists; otherwise runs it
# and records HASH. One progress line per step.
run_step() {
  local name=$1 what=$2 hash=$3; shift 3
  local outputs=() missing=0 o
  while [[ $1 != -- ]]; do outputs+=("$1"); shift; done; shift
  for o in "${outputs[@]}"; do [[ -e "$o" ]] || missing=1; done
  if (( ! missing )) && stamp_current "$name" "$hash"; then
    log "$name: up to date ($(cat "$STAMPS/$name.summary" 2>/dev/null || echo "$what"))"
    return 0
  fi
  rm -f "$STAMPS/$name"
  local t0=$SECONDS
  log "$name: building ($what)"
  rm -f "$STAMPS/$name.summary"
  WRENN_STEP_SUMMARY="$STAMPS/$name.summary" "$@" || die "$name failed"
  stamp_write "$name" "$hash"
  log "$name: done in $((SECONDS - t0)) s: $(cat "$STAMPS/$name.summary" 2>/dev/null || echo ok)"
}

# The certificate authorities guests trust beyond the public ones: WRENN_GUEST_CA_CERTS (a PEM
# file or a directory of *.crt / *.pem files), else what this host trusts locally
# (/usr/local/share/ca-certificates: a company CA, or a proxy that re-signs TLS on its way out).
# Without them, a guest behind such a proxy fails every TLS handshake the host itself passes.
guest_ca_files() {
  local src=${WRENN_GUEST_CA_CERTS:-/usr/local/share/ca-certificates}
  if [[ -f $src ]]; then printf '%s\n' "$src"
  elif [[ -d $src ]]; then find "$src" -type f \( -name '*.crt' -o -name '*.pem' \) | sort
  fi
}
