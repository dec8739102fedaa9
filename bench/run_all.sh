#!/usr/bin/env bash
# Every benchmark, in order, from a fresh pair of bench databases (about 6 minutes on a quiet
# 2-core machine, plus up to WAIT seconds per step waiting for the machine to be quiet).
#   bench/run_all.sh            WAIT=0 bench/run_all.sh   (measure at once, whatever the load)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WAIT=${WAIT:-120}
SMALL=postgres://postgres@127.0.0.1:5432/giftshop_bench_small
LARGE=postgres://postgres@127.0.0.1:5432/giftshop_bench

$PY bench/seed_scale.py --reset --scale 0.02 --database-url "$SMALL" --wait-quiet "$WAIT"
$PY bench/seed_scale.py --reset --database-url "$LARGE" --wait-quiet "$WAIT"
$PY bench/query_scale.py --small "$SMALL" --large "$LARGE" --wait-quiet "$WAIT"
$PY bench/claim_load.py --database-url "$LARGE" --wait-quiet "$WAIT"
$PY bench/claim_load.py --database-url "$LARGE" --gifts 1 --label one_gift --wait-quiet "$WAIT"
