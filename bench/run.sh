#!/usr/bin/env bash
# gowsgi against the Python servers a user would pick instead, in one run on
# this machine: builds gowsgi and the bare Go ceiling, installs the peers
# (Debian packages) when missing and allowed, and runs bench/harness, which
# interleaves the servers round after round and writes a markdown table of
# ratios (bench/results.md).
#   bash bench/run.sh [harness flags: -rounds 3 -secs 5 -only hello,flask -v]
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS="wrk gunicorn uwsgi uwsgi-plugin-python3 python3-waitress python3-twisted python3-uvicorn python3-fastapi python3-flask python3-django"
missing=()
for p in $PEERS; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	else
		echo "bench: missing ${missing[*]} (sudo apt-get install -y ${missing[*]}); those servers are left out" >&2
	fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gowsgi" .
go build -o "$tmp/ceiling" ./bench/ceiling
go build -o "$tmp/harness" ./bench/harness
"$tmp/harness" -gowsgi "$tmp/gowsgi" -ceiling "$tmp/ceiling" -o bench/results.md "$@"
