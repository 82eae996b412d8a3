#!/bin/sh
# SPDX-License-Identifier: ISC
# `make demo`: a first five minutes with simmer, touching nothing of yours.
# Starts a throwaway simmerd on temporary folders, imports a generated
# six-month diary, walks through status, triggers, report and a
# notification, then stops the daemon and removes the folders. The HTML
# report is kept as build/demo-report.html to open in a browser.
#   SIMMER_BUILD  the build folder (default build)
#   DEMO_PAUSE    seconds to pause between steps (default 0)
set -eu

build=${SIMMER_BUILD:-build}
pause=${DEMO_PAUSE:-0}
for tool in "$build/simmerd" "$build/simmer" "$build/tools/simdiary"; do
	if [ ! -x "$tool" ]; then
		echo "demo: $tool is missing; run 'make demo' (it builds them)" >&2
		exit 69
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/simmer-demo.XXXXXX")
daemon=""
cleanup() {
	if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
		kill -TERM "$daemon"
		wait "$daemon" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Everything simmer keeps lives under $tmp: the database, the socket, the
# configuration and the spool. Your own diary is not touched.
mkdir -p "$tmp/run" "$tmp/data" "$tmp/state" "$tmp/config"
chmod 700 "$tmp/run"
export XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state"
export XDG_CONFIG_HOME="$tmp/config"
unset SIMMER_SOCKET SIMMER_DB SIMMER_SPOOL 2>/dev/null || true
simmer="$build/simmer"

step() {
	printf '\n\033[1m== %s\033[0m\n' "$1" | { [ -t 1 ] && [ -z "${NO_COLOR:-}" ] && cat || sed 's/\x1b\[[0-9;]*m//g'; }
	[ "$pause" = 0 ] || sleep "$pause"
}
run() {
	printf '$ simmer %s\n' "$*"
	"$simmer" "$@"
}

step "Starting a throwaway simmerd in $tmp"
"$build/simmerd" >"$tmp/simmerd.log" 2>&1 &
daemon=$!
# Wait for the socket to answer, up to ten seconds.
tries=0
until "$simmer" version 2>/dev/null | grep -q '^simmerd [0-9]'; do
	tries=$((tries + 1))
	if [ "$tries" -gt 100 ] || ! kill -0 "$daemon" 2>/dev/null; then
		echo "demo: simmerd did not start:" >&2
		cat "$tmp/simmerd.log" >&2
		exit 69
	fi
	sleep 0.1
done
run version

step "Importing a generated six-month diary (sleep, stress, foods, pain, NSAIDs)"
"$build/tools/simdiary" --days 182 --seed 7 >"$tmp/diary.csv"
printf '%s\n' "$(head -4 "$tmp/diary.csv")" "..."
run import "$tmp/diary.csv"

step "Logging today as you would: two seconds, one line"
run sleep 5.5 stress 7 dairy

step "Today's load against the alert threshold, and the last four weeks"
run status

step "What came before the flares in this diary"
run triggers

step "The report for you, and one to print for a clinician"
run report --days 182
run report --days 182 --html "$tmp/report.html"
cp "$tmp/report.html" "$build/demo-report.html"
echo "kept a copy as $build/demo-report.html: open it in a browser"

step "A notification: what the desktop does with one"
# Without a notification server (an SSH session, a container) simmer says
# so instead of failing silently; alerts are stored and can be watched.
run notify-test || true
echo "A red flag always alerts at once. 'simmer watch' prints alerts as they come:"
"$simmer" watch >"$tmp/watch.txt" 2>&1 &
watcher=$!
tries=0
until grep -q watching "$tmp/watch.txt" 2>/dev/null || [ "$tries" -gt 50 ]; do
	tries=$((tries + 1))
	sleep 0.1
done
run numbness || true
tries=0
until [ "$(wc -l <"$tmp/watch.txt")" -gt 1 ] || [ "$tries" -gt 50 ]; do
	tries=$((tries + 1))
	sleep 0.1
done
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
echo '$ simmer watch'
cat "$tmp/watch.txt"
run alerts --limit 3

step "Stopping simmerd and removing $tmp"
kill -TERM "$daemon"
wait "$daemon" 2>/dev/null || true
daemon=""
echo "Done. Nothing was written outside $tmp except $build/demo-report.html."
echo "To start for real: see 'Install as a systemd user service' in README.md."
