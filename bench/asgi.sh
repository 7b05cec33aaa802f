#!/usr/bin/env bash
# ASGI throughput of gowsgi against uvicorn (Debian's 0.17.6, with uvloop,
# h11 and websockets), both with one worker process, one server at a time on
# 127.0.0.1, interleaved gowsgi, uvicorn, gowsgi, uvicorn... for several
# rounds; the medians go in a markdown table with the gowsgi/uvicorn ratio.
# Measured: FastAPI hello (testapps/asgi/benchapp.py) and raw ASGI hello
# (testapps/asgi/hello.py) requests/s with wrk, and WebSocket echo messages/s
# with bench/wsecho (hello.py echoes). Bounded: every server runs under
# timeout(1), and a round takes about 4 × (seconds + 1) + 10 s.
#   bash bench/asgi.sh [rounds] [seconds] [connections]
# Needs: wrk, python3-fastapi, python3-uvicorn, python3-uvloop, python3-websockets.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-5}
conns=${3:-16}
py=/usr/bin/python3

command -v wrk >/dev/null || { echo "bench/asgi.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
if ! $py -c 'import uvloop' 2>/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-uvloop >/dev/null
	else
		echo "bench/asgi.sh needs python3-uvloop: sudo apt-get install python3-uvloop" >&2; exit 1
	fi
fi
$py -c 'import fastapi, uvicorn, uvloop, websockets' || { echo "needs python3-fastapi python3-uvicorn python3-websockets" >&2; exit 1; }

tmp=$(mktemp -d)
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/gowsgi" .
go build -o "$tmp/wsecho" ./bench/wsecho
port=18600

# serve SERVER APP: start SERVER (gowsgi|uvicorn) on a fresh port with APP
# (module:attr in testapps/asgi), and wait until it answers.
serve() {
	port=$((port + 1))
	local log="$tmp/$1.log"
	case $1 in
	gowsgi) (cd testapps/asgi && exec timeout 600 "$tmp/gowsgi" -n web --listen "tcp:$port:interface=127.0.0.1" --python $py \
			--asgi "$2" --workers 1 --access-log off --no-reload) >"$log" 2>&1 & ;;
	uvicorn) (cd testapps/asgi && exec timeout 600 $py -m uvicorn --host 127.0.0.1 --port "$port" --workers 1 \
			--log-level warning --no-access-log "$2") >"$log" 2>&1 & ;;
	esac
	pid=$!
	for _ in $(seq 200); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "$1 $2 did not start: $(tail -n 5 "$log")" >&2
	return 1
}

unserve() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; }

# http_rps: requests/s of GET / on the current server (after a 1s warm-up).
http_rps() {
	wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$port/" >/dev/null
	local out
	out=$(wrk -t1 -c"$conns" -d"${secs}s" "http://127.0.0.1:$port/")
	if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
		echo "  warning: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ')" >&2
	fi
	awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out"
}

ws_mps() {
	"$tmp/wsecho" -url "ws://127.0.0.1:$port/" -c "$conns" -d 1s >/dev/null
	"$tmp/wsecho" -url "ws://127.0.0.1:$port/" -c "$conns" -d "${secs}s" | awk '{print $1}'
}

declare -A res
metrics=("FastAPI hello (req/s)" "raw ASGI hello (req/s)" "WebSocket echo (msgs/s)")
add() { res["$1|$2"]="${res["$1|$2"]:-} $3"; }

echo "ASGI, 1 worker each, wrk -t1 -c$conns -d${secs}s and wsecho -c$conns -d${secs}s (64-byte messages), $rounds rounds,"
echo "$(nproc) cores, $(date -u +%FT%TZ); uvicorn $($py -c 'import uvicorn; print(uvicorn.__version__)') (uvloop, h11, websockets)"
for r in $(seq "$rounds"); do
	for srv in gowsgi uvicorn; do
		serve $srv benchapp:app
		v=$(http_rps); add $srv "${metrics[0]}" "$v"
		unserve
		serve $srv hello:app
		v2=$(http_rps); add $srv "${metrics[1]}" "$v2"
		v3=$(ws_mps); add $srv "${metrics[2]}" "$v3"
		unserve
		printf 'round %d %-8s fastapi %8s req/s   raw %8s req/s   ws echo %8s msgs/s\n' "$r" $srv "$v" "$v2" "$v3"
	done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo
echo "| $rounds-round median | gowsgi | uvicorn | gowsgi/uvicorn |"
echo "|---|---:|---:|---:|"
for m in "${metrics[@]}"; do
	g=$(median <<<"${res["gowsgi|$m"]}")
	u=$(median <<<"${res["uvicorn|$m"]}")
	awk -v m="$m" -v g="$g" -v u="$u" 'BEGIN { printf "| %s | %.0f | %.0f | %s |\n", m, g, u, (u > 0 ? sprintf("%.2f×", g / u) : "n/a") }'
done
