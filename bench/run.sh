#!/usr/bin/env bash
# Hello-world throughput of gowsgi against its peers, all in one run on this
# machine, reported as requests/s and as a ratio to gunicorn (sync, 1 worker).
# Needs: wrk, gunicorn, python3-twisted, python3-waitress (Debian packages).
#   bash bench/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
conns=${2:-16}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

go build -o "$tmp/gowsgi" .
go build -o "$tmp/ceiling" ./bench/ceiling
py=/usr/bin/python3
port=18500

# wait_port PORT: until something answers there (at most 20s).
wait_port() {
	for _ in $(seq 200); do
		curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
		sleep 0.1
	done
	echo "nothing answered on port $1" >&2
	return 1
}

# run NAME CMD...: start a server on $port, warm it up, measure it, stop it.
declare -A rps
order=()
run() {
	local name=$1; shift
	port=$((port + 1))
	local cmd=("${@//PORT/$port}")
	local log="$tmp/${name//[^a-zA-Z0-9]/_}.log"
	(cd testapps && exec "${cmd[@]}") >"$log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	if ! wait_port "$port"; then
		printf '%-28s did not start: %s\n' "$name" "$(tail -n 3 "$log" | tr '\n' ' ')"
		kill "$pid" 2>/dev/null || true
		return 0
	fi
	wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$port/" >/dev/null
	local out
	out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/")
	rps[$name]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
	local p50 p99
	p50=$(awk '$1=="50%" {print $2}' <<<"$out")
	p99=$(awk '$1=="99%" {print $2}' <<<"$out")
	local errs
	errs=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | paste -sd';' || true)
	printf '%-28s %10s req/s   p50 %-9s p99 %-9s %s\n' "$name" "${rps[$name]}" "$p50" "$p99" "$errs"
	order+=("$name")
	kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "hello world, wrk -t1 -c$conns -d${secs}s, $(nproc) cores, $(date -u +%FT%TZ)"
run "go net/http (ceiling)"      "$tmp/ceiling" 127.0.0.1:PORT
run "gowsgi cpython 1x20"        "$tmp/gowsgi" -n web --listen tcp:PORT --wsgi pure.application --python $py --access-log off --no-reload
run "gowsgi cpython 1x4"         "$tmp/gowsgi" -n web --listen tcp:PORT --wsgi pure.application --python $py --access-log off --no-reload --threads 4
run "gowsgi cpython 2x20"        "$tmp/gowsgi" -n web --listen tcp:PORT --wsgi pure.application --python $py --access-log off --no-reload --workers 2
run "gowsgi gpython 1x20"        "$tmp/gowsgi" -n web --listen tcp:PORT --wsgi pure.application --engine gpython --access-log off --no-reload
run "gunicorn sync 1 worker"     $py -m gunicorn -w 1 -b 127.0.0.1:PORT pure:application
run "gunicorn gthread 1x20"      $py -m gunicorn -w 1 --threads 20 -b 127.0.0.1:PORT pure:application
run "waitress 4 threads"         $py -m waitress --listen=127.0.0.1:PORT pure:application
run "twistd web --wsgi"          env PYTHONPATH=. twistd3 -n --pidfile= web --listen tcp:PORT:interface=127.0.0.1 --wsgi pure.application

echo
base=${rps["gunicorn sync 1 worker"]}
for n in "${order[@]}"; do
	[ -n "${rps[$n]:-}" ] || continue
	awk -v a="${rps[$n]}" -v b="$base" -v n="$n" 'BEGIN { printf "%-28s %5.2fx gunicorn sync\n", n, a / b }'
done
