#!/bin/sh
# Configure (once) and build one build directory with the warning set as
# errors. Usage: scripts/build.sh [DIR [meson options...]]
#   scripts/build.sh                     -> build/ with gcc
#   CC=clang scripts/build.sh build-asan -Db_sanitize=address,undefined
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build}
[ $# -gt 0 ] && shift
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" -Dwerror=true "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null
