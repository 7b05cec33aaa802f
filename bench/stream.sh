#!/usr/bin/env bash
# Streams 1 GiB down and 1 GiB up through gowsgi (testapps/pure.py's
# /download and /upload) and reports the time and the peak resident memory
# of gowsgi and of its Python worker: both must stay flat, whatever the size.
#   bash bench/stream.sh [bytes] [engine flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1073741824}
shift || true
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(--python /usr/bin/python3)
tmp=$(mktemp -d)
go build -o "$tmp/gowsgi" .
port=18950
(cd testapps && exec "$tmp/gowsgi" -n web --listen tcp:$port --wsgi pure.router --access-log off --no-reload "${flags[@]}") >"$tmp/log" 2>&1 &
gp=$!
trap 'kill $gp 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
wp=$(pgrep -P $gp | head -1)
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
(while kill -0 $gp 2>/dev/null; do echo "$(rss $gp) $(rss "$wp")"; sleep 0.1; done >"$tmp/rss") &
curl -s -o /dev/null -w "download $size bytes: %{time_total} s\n" "http://127.0.0.1:$port/download?size=$size"
head -c "$size" /dev/zero | curl -s -o /dev/null -T - -X POST -H "Content-Type: application/octet-stream" \
	-w "upload   $size bytes: %{time_total} s (sha256 in the app)\n" "http://127.0.0.1:$port/upload"
sleep 0.2
awk '$1 > g {g = $1} $2 > p {p = $2} END {printf "peak RSS: gowsgi %d MiB, worker %d MiB\n", g / 1024, p / 1024}' "$tmp/rss"
