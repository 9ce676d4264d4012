#!/bin/sh
# The second README command, and what CI runs (.ci/run): install what is
# missing; build with gcc and with clang + ASan + UBSan (-Werror both);
# run the unit tests, fuzz-seed replays and end-to-end suite under each
# build; then run every fuzz target briefly under libFuzzer.
#
# Environment: SMTPSCOPE_CORPUS  conformance corpus (default ../shared/corpus;
#                                its tests skip, visibly, when absent)
#              FUZZ_SECONDS      time per fuzz target (default 20: ten
#                                targets keep the suite under 20 minutes)
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-20}
corpus=${SMTPSCOPE_CORPUS:-../shared/corpus}
export SMTPSCOPE_TSHARK_CACHE="$PWD/build/tshark-cache"
if [ ! -d "$corpus" ]; then
	echo "test: NOTE: no corpus at $corpus; corpus tests will be skipped"
fi

step() { printf '\n== %s\n' "$*"; }
e2e() {
	SMTPSCOPE_BIN="$1" pytest-3 -q -n "$jobs" -p no:cacheprovider -rs tests/e2e
}

step "build: gcc"
scripts/build.sh build
step "unit tests and fuzz replays: gcc build"
meson test -C build -q --print-errorlogs
step "end-to-end tests: gcc build"
e2e build/smtpscope

step "build: clang with AddressSanitizer and UndefinedBehaviorSanitizer"
CC=clang scripts/build.sh build-asan -Db_sanitize=address,undefined \
	-Db_lundef=false
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
step "unit tests and fuzz replays: sanitizer build"
meson test -C build-asan -q --print-errorlogs
step "end-to-end tests: sanitizer build"
e2e build-asan/smtpscope

step "fuzzing: ${fuzz_seconds}s per target (libFuzzer, ASan, UBSan)"
CC=clang scripts/build.sh build-fuzz -Dfuzzing=true \
	-Db_sanitize=address,undefined -Db_lundef=false
for target in build-fuzz/fuzz/fuzz_*; do
	[ -f "$target" ] && [ -x "$target" ] || continue
	name=$(basename "$target")
	work=$(mktemp -d)
	cp fuzz/corpus/"${name#fuzz_}"/* "$work"/
	if ! "$target" -max_total_time="$fuzz_seconds" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build-fuzz/ "$work" >build-fuzz/"$name".log 2>&1; then
		tail -n 40 build-fuzz/"$name".log
		echo "test: $name found a problem; the input is in build-fuzz/"
		exit 1
	fi
	grep -E "stat::number_of_executed_units|stat::new_units_added" \
		build-fuzz/"$name".log | sed "s/^/$name: /"
	rm -rf "$work"
done

printf '\ntest: all passed\n'
