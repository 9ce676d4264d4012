#!/bin/sh
# Configure and build one build directory with the warning set as errors.
# Usage: scripts/build.sh [DIR [meson options...]]
#   scripts/build.sh                     -> build/ with gcc
#   CC=clang scripts/build.sh build-asan -Db_sanitize=address,undefined
# A directory that exists already gets the options given (meson configure),
# so one set up earlier with other options builds what is asked now; its
# compiler stays the one it was set up with. Quiet unless a step fails;
# then that step's output (meson and ninja write errors to stdout) is shown.
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build}
[ $# -gt 0 ] && shift

quiet() {
	if ! out=$("$@" 2>&1); then
		printf '%s\n' "$out" >&2
		echo "build.sh: failed: $*" >&2
		return 1
	fi
}

if [ ! -f "$dir/build.ninja" ]; then
	quiet meson setup "$dir" -Dwerror=true "$@"
elif [ $# -gt 0 ]; then
	quiet meson configure "$dir" "$@"
fi
quiet ninja -C "$dir"
