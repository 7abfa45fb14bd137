#!/usr/bin/env bash
# Instructions of one run of every program the JIT compiled, counted by callgrind: a measure
# that does not move with the machine's load. Runs `sbic bench MODEL --iterations N` under
# callgrind with SBIC_JIT_PERF_MAP=1, which names each program's entry function among
# callgrind's anonymous addresses, and divides each entry's inclusive count by its calls
# (N timed runs plus N/10 warm-up; the sample program also draws 10,000 samples, so its
# figure is a mean over all its runs).
# Usage: scripts/callgrind-programs.sh [SBIC] MODEL [N]   (SBIC default: .build/release/sbic)
set -euo pipefail
if [ $# -ge 2 ] && [ -x "$1" ]; then sbic=$1; shift; else sbic=$(dirname "$0")/../.build/release/sbic; fi
model=$1; n=${2:-20}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
SBIC_CACHE=off SBIC_JIT_PERF_MAP=1 OPENBLAS_NUM_THREADS=1 valgrind --tool=callgrind --dump-instr=no \
    --callgrind-out-file="$out/cg.out" "$sbic" bench "$model" --iterations "$n" > "$out/bench.txt" 2> "$out/valgrind.txt"
pid=$(grep -o -m1 '^==[0-9]*==' "$out/valgrind.txt" | tr -d =)
callgrind_annotate --inclusive=yes --threshold=100 "$out/cg.out" > "$out/annotated.txt"
python3 - "/tmp/perf-$pid.map" "$out/annotated.txt" "$out/cg.out" <<'PY'
import re, sys
symbols = {}
for line in open(sys.argv[1]):
    address, _, name = line.split()
    symbols[int(address, 16)] = name
# Calls into each function, from callgrind's own records ("cfn=(id) name" then "calls=N ...").
names, calls, current = {}, {}, None
for line in open(sys.argv[3]):
    m = re.match(r'cfn=\((\d+)\)(?: (.*))?', line)
    if m:
        if m.group(2): names[m.group(1)] = m.group(2).strip()
        current = names.get(m.group(1))
        continue
    m = re.match(r'calls=(\d+)', line)
    if m and current:
        calls[current] = calls.get(current, 0) + int(m.group(1))
for line in open(sys.argv[2]):
    m = re.match(r'\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(?:\?\?\?:)?(0x[0-9a-fA-F]+)', line)
    if not m: continue
    cost, address = int(m.group(1).replace(',', '')), int(m.group(2), 16)
    name = symbols.get(address, '')
    if re.search(r'_k\d+_', name) or not name: continue
    n = calls.get(m.group(2), 0) or next((c for k, c in calls.items() if k.endswith(m.group(2)[2:].lstrip('0'))), 0)
    if n: print(f"{name.split('_', 2)[-1]:14s} {cost / n:>14,.0f} instructions per run ({n} runs)")
PY
