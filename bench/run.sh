#!/bin/bash
# SPDX-License-Identifier: ISC
# simmer's benchmarks: prints figures, asserts nothing.
#
# Everything is measured side by side in one run, as medians over repeated
# runs, because the machines this runs on are shared and noisy:
#   - one quick entry (`simmer pain 5`), exec to exit, with simmerd running;
#   - acknowledged durable entries per second over 1 and 16 connections,
#     next to redis-server with appendfsync always doing SET over a Unix
#     socket (redis-benchmark), alternating runs;
#   - a 1,000,000-line CSV import;
#   - the analysis benchmarks in build/bench/ (one and ten years, backtest),
#     and the time the loop spends decoding the costliest messages allowed;
#   - simmerd's resident memory holding ten years of data.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SIMMER_BUILD:-build}
BUILD=$(cd "$BUILD" && pwd)
ROUNDS=${BENCH_ROUNDS:-5}
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
work=$(mktemp -d /tmp/simmer-bench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

start_daemon() { # $1: folder
	local dir=$1
	mkdir -p "$dir/run" "$dir/data" "$dir/state" "$dir/config"
	XDG_RUNTIME_DIR=$dir/run XDG_DATA_HOME=$dir/data XDG_STATE_HOME=$dir/state \
		XDG_CONFIG_HOME=$dir/config "$BUILD/simmerd" 2>"$dir/simmerd.log" &
	pids+=($!)
	daemon_pid=$!
	for _ in $(seq 200); do
		[ -S "$dir/run/simmer/simmer.sock" ] && return 0
		sleep 0.05
	done
	echo "simmerd did not start" >&2; cat "$dir/simmerd.log" >&2; exit 1
}
stop_daemon() { kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; }
client_env() { # $1: folder
	echo "XDG_RUNTIME_DIR=$1/run XDG_DATA_HOME=$1/data XDG_STATE_HOME=$1/state XDG_CONFIG_HOME=$1/config"
}

echo "simmer benchmarks ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $ROUNDS rounds)"
echo

# 1. One quick entry.
d=$work/quick
start_daemon "$d"
env $(client_env "$d") hyperfine --style none --warmup 20 --runs 300 --export-json "$work/quick.json" \
	"$BUILD/simmer pain 5" >/dev/null 2>&1
q_median=$(/usr/bin/python3 -c "import json;r=json.load(open('$work/quick.json'))['results'][0];print('%.2f'%(r['median']*1000))")
q_min=$(/usr/bin/python3 -c "import json;r=json.load(open('$work/quick.json'))['results'][0];print('%.2f'%(r['min']*1000))")
echo "quick entry (simmer pain 5, exec to exit, 300 runs): median ${q_median} ms, min ${q_min} ms (aim < 3 ms)"
stop_daemon

# 2. Durable entries per second, simmerd and redis side by side.
d=$work/rate
start_daemon "$d"
sock=$d/run/simmer/simmer.sock
redis_dir=$work/redis
mkdir -p "$redis_dir"
redis-server --port 0 --unixsocket "$redis_dir/redis.sock" --unixsocketperm 700 --dir "$redis_dir" \
	--appendonly yes --appendfsync always --save "" --daemonize no >"$redis_dir/log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$redis_dir/redis.sock" ] && break; sleep 0.05; done
: >"$work/s1"; : >"$work/s16"; : >"$work/r1"; : >"$work/r16"
for _ in $(seq "$ROUNDS"); do
	"$BUILD/bench/bench_log" "$sock" 1 "$SECONDS_PER_RUN" >>"$work/s1"
	"$BUILD/bench/bench_log" "$sock" 16 "$SECONDS_PER_RUN" >>"$work/s16"
	redis-benchmark -s "$redis_dir/redis.sock" -t set -c 1 -n 3000 -q 2>/dev/null |
		tr '\r' '\n' | awk '/SET:/ {print $2}' | tail -1 >>"$work/r1"
	redis-benchmark -s "$redis_dir/redis.sock" -t set -c 16 -n 20000 -q 2>/dev/null |
		tr '\r' '\n' | awk '/SET:/ {print $2}' | tail -1 >>"$work/r16"
done
s1=$(median <"$work/s1"); s16=$(median <"$work/s16"); r1=$(median <"$work/r1"); r16=$(median <"$work/r16")
echo "durable entries/s, 1 connection:   simmerd ${s1}, redis SET appendfsync=always ${r1} (ratio $(awk "BEGIN{printf \"%.2f\", $s1/$r1}"))"
echo "durable entries/s, 16 connections: simmerd ${s16}, redis SET appendfsync=always ${r16} (ratio $(awk "BEGIN{printf \"%.2f\", $s16/$r16}"))"
stop_daemon

# 3. A million-line import.
csv=$work/million.csv
/usr/bin/python3 - "$csv" <<'PY'
import sys, random
rng = random.Random(1)
factors = [("pain", 10), ("stress", 10), ("sleep_hours", 12), ("stiffness", 10), ("dairy", 3), ("activity_minutes", 300)]
t0 = 1500000000000
with open(sys.argv[1], "w") as f:
    f.write("time,factor,value,note\n")
    for i in range(1000000):
        name, hi = factors[i % len(factors)]
        f.write(f"{t0 + i * 60000},{name},{rng.randint(0, hi)},\n")
PY
: >"$work/imp"
for r in $(seq 3); do
	d=$work/import$r
	start_daemon "$d"
	s=$(date +%s.%N)
	env $(client_env "$d") "$BUILD/simmer" import "$csv" >/dev/null
	e=$(date +%s.%N)
	awk "BEGIN{printf \"%.2f\n\", $e-$s}" >>"$work/imp"
	stop_daemon
	rm -rf "$d"
done
echo "import of 1,000,000 CSV lines: median $(median <"$work/imp") s over 3 runs (aim < 3 s)"

# 4. Analysis, and decoding the costliest messages.
for b in "$BUILD"/bench/bench_*; do
	case "$(basename "$b")" in bench_log|*.d) continue ;; esac
	echo
	"$b"
done

# 5. Memory with ten years of data.
if [ -x "$BUILD/tools/simdiary" ]; then
	d=$work/tenyears
	start_daemon "$d"
	"$BUILD/tools/simdiary" --days 3650 --seed 3 --format import >"$work/tenyears.csv" 2>/dev/null || true
	if [ -s "$work/tenyears.csv" ]; then
		env $(client_env "$d") "$BUILD/simmer" import "$work/tenyears.csv" >/dev/null || true
		env $(client_env "$d") "$BUILD/simmer" analyze >/dev/null 2>&1 || true
		rss=$(awk '/VmRSS/ {print $2}' "/proc/$daemon_pid/status")
		echo
		echo "simmerd resident memory with ten years of data ($(wc -l <"$work/tenyears.csv") entries), after an analysis: $((rss / 1024)) MiB"
	fi
	stop_daemon
fi
