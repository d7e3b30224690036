#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# examples.recommend_server: start the server on a free port, check its answers equal the library's (--query),
# its 400s and 404, reloads under concurrent queries (every request must succeed), SIGHUP, and a clean exit.
# Every curl has a timeout and the server runs under `timeout`, so the test cannot hang.
#   recommend_server_test.sh SERVER_BINARY WORK_DIR
set -euo pipefail
server=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
curl_() { curl -sS --max-time 10 "$@"; }

"$server" --write-demo a.safetensors --seed 1 --users 40 --items 3000 --dim 16
"$server" --write-demo b.safetensors --seed 2 --users 40 --items 3000 --dim 16

# The files exist before the server starts: the background job opens its redirections only once it runs, and a
# first sed on a missing file would end this script (set -e) on a loaded machine.
: >server.out
: >server.err
timeout 100 "$server" --model a.safetensors --port 0 --host 127.0.0.1 >>server.out 2>>server.err &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; }
trap cleanup EXIT
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/^port \([0-9][0-9]*\)$/\1/p' server.out)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "the server printed no port: $(cat server.err)"
url="http://127.0.0.1:$port"

# Answers equal the library's, byte for byte.
for user in 1 7 40; do
  got=$(curl_ "$url/recommend?user=$user&k=10")
  want=$("$server" --query a.safetensors --user "$user" --k 10)
  [ "$got" = "$want" ] || fail "user $user: server $got, library $want"
done
got=$(curl_ "$url/recommend?user=3&k=4&exclude_seen=0")
[ "$got" = "$("$server" --query a.safetensors --user 3 --k 4 --exclude-seen 0)" ] || fail "exclude_seen=0: $got"
got=$(curl_ "$url/similar?item=12&k=5")
[ "$got" = "$("$server" --query a.safetensors --item 12 --k 5)" ] || fail "similar: $got"
curl_ "$url/healthz" | grep -q '"status":"ok"' || fail "healthz"

# Malformed requests: 400 with an error; unknown route: 404.
code() { curl -s --max-time 10 -o body.json -w '%{http_code}' "$@"; }
for q in "recommend?k=10" "recommend?user=abc" "recommend?user=1&k=0" "recommend?user=999999&k=3" \
         "recommend?user=1&k=3001" "recommend?user=1&exclude_seen=2" "recommend?user=1.5" "similar?k=3" \
         "similar?item=0&k=3"; do
  c=$(code "$url/$q")
  [ "$c" = 400 ] || fail "$q gave $c, expected 400"
  grep -q '"error"' body.json || fail "$q: no error field: $(cat body.json)"
done
[ "$(code "$url/nothing")" = 404 ] || fail "unknown route did not give 404"
[ "$(code -X POST "$url/reload?path=missing.safetensors")" = 400 ] || fail "reload of a missing file did not give 400"
[ "$(curl_ "$url/recommend?user=1&k=10")" = "$("$server" --query a.safetensors --user 1 --k 10)" ] ||
  fail "a failed reload changed the model"

# Concurrent queries while reloads alternate a and b: every request succeeds with one model's answer.
want_a=$("$server" --query a.safetensors --user 5 --k 10)
want_b=$("$server" --query b.safetensors --user 5 --k 10)
[ "$want_a" != "$want_b" ] || fail "the two demo models agree; the test would prove nothing"
for w in 1 2 3 4; do
  (
    for _ in $(seq 1 60); do
      r=$(curl -s --max-time 10 -w '\n%{http_code}' "$url/recommend?user=5&k=10") || { echo "curl failed"; continue; }
      body=$(printf '%s' "$r" | head -n 1)
      status=$(printf '%s' "$r" | tail -n 1)
      if [ "$status" != 200 ]; then echo "status $status: $body"; continue; fi
      if [ "$body" != "$want_a" ] && [ "$body" != "$want_b" ]; then echo "mixed answer: $body"; fi
    done
  ) >"worker$w.log" &
done
for i in $(seq 1 20); do
  f=b.safetensors; [ $((i % 2)) = 0 ] && f=a.safetensors
  [ "$(code -X POST -d "$f" "$url/reload")" = 200 ] || fail "reload $i of $f: $(cat body.json)"
done
wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
for w in 1 2 3 4; do
  [ ! -s "worker$w.log" ] || fail "worker $w: $(head -3 "worker$w.log")"
done
curl_ "$url/healthz" | grep -q '"generation":21' || fail "expected generation 21: $(curl_ "$url/healthz")"

# SIGHUP re-reads the current file (a, after an even number of swaps).
kill -HUP "$pid"
for _ in $(seq 1 50); do
  curl_ "$url/healthz" | grep -q '"generation":22' && break
  sleep 0.1
done
curl_ "$url/healthz" | grep -q '"generation":22' || fail "SIGHUP did not reload"

kill -TERM "$pid"
for _ in $(seq 1 50); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "the server did not exit on SIGTERM"
wait "$pid" || fail "the server exited with status $?"
trap - EXIT
echo "examples.recommend_server: all checks passed (port $port)"
