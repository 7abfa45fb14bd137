# Shared by scripts/test-slurm.sh and scripts/test-parallel.sh: a small sweep, its serial
# reference and the comparison of reports. Sourced, not run.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sbic=${SBIC:-$repo/.build/release/sbic}
[ -x "$sbic" ] || (cd "$repo" && swift build -c release)
# Two tasks × two models × two seeds at 2,000 simulations, two observations, 500 samples.
sweep=(--specs "$repo/specs" --tasks two_moons,gaussian_linear --models cpvae,upvae --budgets 2000 --seeds 1,2
       --observations 1,2 --samples 500)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
    dpkg -s "$@" >/dev/null 2>&1 && return
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# The serial reproduction of the same sweep, in this process (--jobs 1), into $1.md.
serial_reference() {
    "$sbic" reproduce "${sweep[@]}" --jobs 1 --out "$1" --report "$1.md" > "$1.log" 2>&1 || { cat "$1.log"; return 1; }
}

# The tables of a report without what differs by design: the Produced-by line (it names
# --out and --report) and the training times (wall clock).
scores() { grep -v '^Produced by' "$1" | awk '/^### Training time/ { skip = 1 } /^<!-- reproduce:end/ { skip = 0 } !skip'; }

same_tables() {
    if diff <(scores "$1") <(scores "$2"); then
        echo "PASS: the C2ST and MMD² tables of $2 equal those of the serial run ($(scores "$2" | grep -c '^| [a-z_]* | [0-9]') rows of scores)"
    else
        echo "FAIL: $2 differs from $1"; return 1
    fi
}
