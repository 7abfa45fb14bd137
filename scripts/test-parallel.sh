#!/usr/bin/env bash
# Runs a small sweep with GNU parallel (Debian's `parallel`) on this host, merges the result
# files, and checks that the tables equal those of a serial `sbic reproduce`; then tears one
# result file and checks that running the plan again redoes that run alone.
# Its folder is removed when it ends (KEEP=1 keeps it).
set -euo pipefail
source "$(dirname "$0")/sweep-test-common.sh"
install_packages parallel

work=$(mktemp -d /tmp/sbic-parallel.XXXXXX)
trap 'if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi' EXIT

start=$(date +%s)
serial_reference "$work/serial"
echo "serial sbic reproduce --jobs 1: $(grep -c ' C2ST ' "$work/serial.log") scores in $(( $(date +%s) - start )) s"

start=$(date +%s)
"$sbic" reproduce "${sweep[@]}" --out "$work/parallel" --plan > "$work/plan.txt"
parallel --jobs 2 --joblog "$work/joblog" < "$work/plan.txt" > "$work/parallel.log"
echo "GNU parallel, $(wc -l < "$work/plan.txt") runs, 2 at a time: $(( $(date +%s) - start )) s"
grep ' C2ST ' "$work/parallel.log" | sort
merge=("$sbic" reproduce "${sweep[@]}" --out "$work/parallel" --report "$work/parallel.md" --report-only)
"${merge[@]}"
same_tables "$work/serial.md" "$work/parallel.md"

# A torn result file: the merge names the run, and the plan run again redoes only it.
torn=$work/parallel/runs/gaussian_linear_upvae_2000_s2.jsonl
head -c 100 "$torn" > "$torn.part" && mv "$torn.part" "$torn"
if "${merge[@]}" 2> "$work/merge.err"; then echo "FAIL: the merge accepted a torn result file"; exit 1; fi
cat "$work/merge.err"
parallel --jobs 2 < "$work/plan.txt" > "$work/again.log"
redone=$(grep ' C2ST ' "$work/again.log" || true)
echo "$redone"
[ "$(echo "$redone" | grep -c 'gaussian_linear upvae 2000 seed 2 obs')" = 2 ] && [ "$(echo "$redone" | wc -l)" = 2 ] \
    || { echo "FAIL: running the plan again did not redo exactly the torn run"; exit 1; }
"${merge[@]}"
same_tables "$work/serial.md" "$work/parallel.md"
