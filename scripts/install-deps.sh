#!/bin/sh
# Install every Debian package smtpscope needs to build, test, benchmark
# and run its demo. Idempotent, and silent when everything is present.
set -eu

PACKAGES="
  gcc clang libc6-dev pkg-config meson ninja-build
  libpcap-dev zlib1g-dev libssl-dev
  libmagic-dev libmagic-mgc libarchive-dev liburiparser-dev
  libcmocka-dev libclang-rt-14-dev llvm
  python3 python3-pytest python3-pytest-xdist python3-scapy
  tshark tcpdump time
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: these Debian packages are missing:$missing" >&2
	echo "install-deps: run this script as root to install them" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
