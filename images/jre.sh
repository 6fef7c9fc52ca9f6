#!/usr/bin/env bash
# The JRE both templates ship at /opt/wrenn/jre: jlink of the modules envd needs.
# usage: jre.sh MODULES (comma separated)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

modules=$1
out="$CACHE/jre"
rm -rf "$out.tmp"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 --output "$out.tmp"
rm -rf "$out"
mv "$out.tmp" "$out"
summary "$modules, $(du -sh "$out" | cut -f1)"
