#!/bin/sh
# The first README command: install what is missing, build, and run
# smtpscope on the bundled sample capture.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
echo "== build/smtpscope read samples/demo.pcap"
build/smtpscope read samples/demo.pcap
