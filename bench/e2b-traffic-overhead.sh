#!/usr/bin/env bash
# Measures what the E2B traffic path (control plane → host agent → guest) costs compared with
# calling envd directly from the host: unary latency (GET /health), a Connect server stream
# (process output) and a file download. Starts its own `wrenn up` in a throw-away home and
# leaves nothing behind. Usage: bench/e2b-traffic-overhead.sh (after a build: mvn install).
set -euo pipefail
cli=$(cd "$(dirname "$0")/../cli/target" && pwd)
port=${BENCH_PORT:-18181}
home=$(mktemp -d /tmp/wrenn-e2b-bench.XXXXXX)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
WRENN_HOME=$home WRENN_PORT=$port "$java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC \
  -cp "$cli/wrenn.jar:$cli/lib/*" io.wrenn.cli.Wrenn up > "$home/up.log" 2>&1 &
wrenn_pid=$!
cleanup() { kill "$wrenn_pid" 2>/dev/null || true; wait "$wrenn_pid" 2>/dev/null || true; rm -rf "$home"; }
trap cleanup EXIT
api=http://127.0.0.1:$port
for _ in $(seq 1 120); do [[ -s $home/api-key ]] && curl -sf "$api/openapi.yaml" -o /dev/null && break; sleep 1; done
[[ -s $home/api-key ]] || { echo "wrenn up did not start:" >&2; tail -20 "$home/up.log" >&2; exit 1; }
key=$(cat "$home/api-key")

created=$(curl -sf -X POST "$api/e2b/sandboxes" -H "X-API-Key: $key" -H 'Content-Type: application/json' \
  -d '{"templateID":"debian","timeout":900}')
id=$(sed -E 's/.*"sandboxID":"([^"]+)".*/\1/' <<<"$created")
token=$(sed -E 's/.*"envdAccessToken":"([^"]+)".*/\1/' <<<"$created")
uuid_dir=$(ls "$home/sandboxes")
slot=$(grep -o '"slot" *: *[0-9]*' "$home/sandboxes/$uuid_dir/sandbox.json" | grep -o '[0-9]*$')
direct="http://10.231.$((slot / 64)).$(((slot % 64) * 4 + 2)):49983"
proxied="$api/e2b/sandbox"
route=(-H "E2b-Sandbox-Id: $id" -H "E2b-Sandbox-Port: 49983" -H "X-Access-Token: $token")

curl -sf -X POST "$api/v1/sandboxes/$id/exec" -H "X-API-Key: $key" -H 'Content-Type: application/json' \
  -d '{"cmd":"/bin/sh","args":["-c","head -c 52428800 /dev/urandom > /tmp/big"]}' -o /dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { curl -s -o /dev/null -w '%{time_total}\n' "$@"; }

health() { for _ in $(seq 1 30); do timed "$@"; done | median; }
download() { for _ in 1 2 3; do timed "$@"; done | median; }
# A Connect server stream: `head -c 4 MiB` of zeros, base64 in JSON envelopes (~5.6 MB on the wire).
python3 -c 'import sys, struct; j = b"{\"process\":{\"cmd\":\"/bin/sh\",\"args\":[\"-c\",\"head -c 4194304 /dev/zero\"]}}"; sys.stdout.buffer.write(b"\0" + struct.pack(">I", len(j)) + j)' > "$home/start.bin"
stream() { for _ in 1 2 3; do timed --data-binary "@$home/start.bin" -X POST -H 'Content-Type: application/connect+json' -H 'Authorization: Basic cm9vdDo=' "$@"; done | median; }

printf '%-34s %10s %10s\n' "measure (median, seconds)" direct proxied
printf '%-34s %10s %10s\n' "GET /health (30 calls)" "$(health -H "X-Access-Token: $token" "$direct/health")" "$(health "${route[@]}" "$proxied/health")"
printf '%-34s %10s %10s\n' "download 50 MiB (/files)" "$(download -H "X-Access-Token: $token" "$direct/files?path=/tmp/big&username=root")" "$(download "${route[@]}" "$proxied/files?path=/tmp/big&username=root")"
printf '%-34s %10s %10s\n' "Process/Start stream, 4 MiB out" "$(stream -H "X-Access-Token: $token" "$direct/process.Process/Start")" "$(stream "${route[@]}" "$proxied/process.Process/Start")"
curl -sf -X DELETE "$api/e2b/sandboxes/$id" -H "X-API-Key: $key" -o /dev/null
