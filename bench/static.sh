#!/usr/bin/env bash
# Static-file throughput of runner/static against Go's bare http.FileServer
# and `twistd web --path`, for a 100-byte file and a 1 MiB file, reported
# as requests/s and as a ratio to twistd. One server runs at a time, on
# 127.0.0.1 only; every server is stopped by its PID on exit.
# Needs: wrk, curl, python3-twisted (Debian packages), go.
#   bash bench/static.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-16}

for tool in wrk curl go; do
	if ! command -v "$tool" >/dev/null; then
		case $tool in
		wrk) echo "wrk is missing: apt-get install wrk" >&2 ;;
		curl) echo "curl is missing: apt-get install curl" >&2 ;;
		go) echo "go is missing: put /usr/local/go/bin on PATH" >&2 ;;
		esac
		exit 1
	fi
done
py=/usr/bin/python3
if command -v twistd >/dev/null; then
	twisted=(twistd -n --pidfile= web)
elif command -v twistd3 >/dev/null; then
	twisted=(twistd3 -n --pidfile= web)
elif [ -x "$py" ] && "$py" -c 'import twisted' 2>/dev/null; then
	twisted=("$py" -m twisted web) # `twist`: always in the foreground
else
	echo "Twisted is missing: apt-get install python3-twisted" >&2
	exit 1
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

www="$tmp/www"
mkdir -p "$www"
head -c 100 /dev/urandom | base64 -w0 | head -c 100 >"$www/small.txt"
head -c 1048576 /dev/urandom >"$www/big.bin"
go build -o "$tmp/staticserve" bench/staticserve/main.go

# free_port: a TCP port nothing listens on at the moment, on 127.0.0.1.
free_port() {
	"$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready PORT PID: until small.txt comes back whole (at most 20 s).
wait_ready() {
	for _ in $(seq 200); do
		kill -0 "$2" 2>/dev/null || { echo "the server exited" >&2; return 1; }
		if [ "$(curl -s --max-time 1 "http://127.0.0.1:$1/small.txt" | wc -c)" = 100 ]; then
			return 0
		fi
		sleep 0.1
	done
	echo "nothing served small.txt on port $1" >&2
	return 1
}

# measure PORT PATH: requests/s for one path.
measure() {
	local out
	out=$(timeout $((secs + 30)) wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s "http://127.0.0.1:$1$2")
	if grep -q "Non-2xx" <<<"$out"; then
		echo "warning: non-2xx answers for $2 on port $1" >&2
	fi
	awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}

declare -A small big
order=()
# run NAME CMD...: start a server (PORT in CMD is replaced), measure both
# files, stop it.
run() {
	local name=$1
	shift
	local port
	port=$(free_port)
	local cmd=("${@//PORT/$port}")
	(cd "$tmp" && exec "${cmd[@]}") >"$tmp/${name//[^a-zA-Z0-9]/_}.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	if ! wait_ready "$port" "$pid"; then
		cat "$tmp/${name//[^a-zA-Z0-9]/_}.log" >&2
		exit 1
	fi
	timeout 10 wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$port/small.txt" >/dev/null # warm-up
	small[$name]=$(measure "$port" /small.txt)
	big[$name]=$(measure "$port" /big.bin)
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	order+=("$name")
	echo "$name: ${small[$name]} req/s (100 B), ${big[$name]} req/s (1 MiB)" >&2
}

run "runner/static" "$tmp/staticserve" -mode static -addr 127.0.0.1:PORT -dir "$www"
run "http.FileServer" "$tmp/staticserve" -mode fileserver -addr 127.0.0.1:PORT -dir "$www"
run "twistd web" "${twisted[@]}" --path "$www" --listen "tcp:PORT:interface=127.0.0.1"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "n/a" }'; }
ref="twistd web"
echo
echo "wrk -t1 -c$conns -d${secs}s, $(nproc) CPUs, $(go version | awk '{print $3}'), Twisted $("$py" -c 'import twisted; print(twisted.__version__)')"
echo
echo "| server | 100 B file, req/s | vs twistd | 1 MiB file, req/s | vs twistd |"
echo "|---|---:|---:|---:|---:|"
for n in "${order[@]}"; do
	printf "| %s | %.0f | %s | %.0f | %s |\n" "$n" "${small[$n]}" "$(ratio "${small[$n]}" "${small[$ref]}")" \
		"${big[$n]}" "$(ratio "${big[$n]}" "${big[$ref]}")"
done
