#!/usr/bin/env bash
# sbic beside JAX and PyTorch on one host, in one run, one core each: the five models of
# docs/benchmarks.md, ROUNDS rounds (sbic, then JAX, then PyTorch, in turn), then 10,000
# posterior samples in each, then `sbic train` and JAX's full training of the two_moons CP-VAE.
#
#   scripts/bench-side-by-side.sh OUTDIR [ROUNDS]
#
# PEERS: a writable copy of ../shared/peers with its venv (its README); SBIC: the binary
# (default .build/release/sbic). Every raw result lands in OUTDIR; docs/benchmarks.md's tables
# are the medians read off them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1; rounds=${2:-2}
peers=${PEERS:-../peers-run}; sbic=${SBIC:-.build/release/sbic}
models="two_moons_cpvae:two_moons_cp two_moons_upvae:two_moons_up slcp_cpvae:slcp_cp bernoulli_glm_cpvae:bernoulli_glm_cp lotka_volterra_cpvae:lotka_volterra_cp"
configs=$(for m in $models; do printf '%s,' "${m#*:}"; done); configs=${configs%,}
mkdir -p "$out"; lscpu > "$out/lscpu.txt"
rm -f "$peers/results/bench.jsonl"
export OPENBLAS_NUM_THREADS=1
for r in $(seq 1 "$rounds"); do
    for m in $models; do
        taskset -c 0 "$sbic" bench "specs/${m%%:*}.json" --json > "$out/sbic_${m%%:*}_r$r.json"
    done
    (cd "$peers" && taskset -c 0 venv/bin/python bench.py jax --configs "$configs") > "$out/jax_r$r.log" 2>&1
    (cd "$peers" && taskset -c 0 venv/bin/python bench.py torch --threads 1 --configs "$configs") > "$out/torch_r$r.log" 2>&1
done
(cd "$peers" && taskset -c 0 venv/bin/python bench.py jax-sample && taskset -c 0 venv/bin/python bench.py torch-sample --threads 1) > "$out/samples.log" 2>&1
cp "$peers/results/bench.jsonl" "$out/peers.jsonl"
for r in 1 2; do
    /usr/bin/time -f "%e s wall" taskset -c 0 "$sbic" train specs/two_moons_cpvae.json --out "$out/two_moons_cpvae" --overwrite > "$out/train_sbic_r$r.log" 2>&1
done
(cd "$peers" && taskset -c 0 venv/bin/python train_two_moons_jax.py cp) > "$out/train_jax.log" 2>&1
