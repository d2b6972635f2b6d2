#!/usr/bin/env bash
# Issue 2's start-up figure: seconds from a second `make run` (set-up already done) until /health
# answers. Not a test. Usage: bench/second_run.sh [rounds]   (stops any gateway on :8000 first)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
stop() { pkill -f "roi serve" 2>/dev/null || true; for _ in $(seq 50); do curl -s -m 1 127.0.0.1:8000/health >/dev/null || return 0; sleep 0.2; done; }
stop
make setup >/dev/null   # the first run's set-up, not timed
for i in $(seq "$rounds"); do
  start=$(date +%s.%N)
  make run >/tmp/roi-second-run.log 2>&1 &
  until curl -s -m 1 127.0.0.1:8000/health >/dev/null; do sleep 0.1; done
  end=$(date +%s.%N)
  printf 'round %d: /health answered after %.1f s\n' "$i" "$(echo "$end - $start" | bc)"
  stop
done
