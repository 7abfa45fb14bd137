#!/usr/bin/env bash
# Runs a small sweep as a Slurm job array on a single-node cluster started here (munged,
# slurmctld and slurmd from Debian's munge and slurm-wlm, with a generated slurm.conf), merges
# the result files, and checks that the tables equal those of a serial `sbic reproduce`.
# Everything it starts is stopped, and its folder removed, when it ends (KEEP=1 keeps the folder).
set -euo pipefail
# slurmd needs root to start jobs as their user; munged and slurmctld run as the same user.
[ "$(id -u)" = 0 ] || exec sudo -E "$0" "$@"
source "$(dirname "$0")/sweep-test-common.sh"
install_packages slurm-wlm munge

work=$(mktemp -d /tmp/sbic-slurm.XXXXXX)
pids=()
cleanup() {
    local status=$?
    if [ "$status" != 0 ]; then tail -n 20 "$work"/*.log "$work"/*.out 2>/dev/null || true; fi
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# munge, with its own key, socket and files in $work (root may run it with --force).
mkdir -p "$work/munge" "$work/state" "$work/spool"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1 count=1024 status=none
chmod 700 "$work/munge"; chmod 400 "$work/munge/munge.key"
socket=$work/munge/munge.socket
munged --foreground --force --key-file "$work/munge/munge.key" --socket "$socket" \
    --pid-file "$work/munge/munged.pid" --log-file "$work/munge/munged.log" --seed-file "$work/munge/munged.seed" > "$work/munged.log" 2>&1 &
pids+=($!)

# One node: this host, with the CPUs and memory slurmd finds.
host=$(hostname -s)
port=$(( 20000 + RANDOM % 20000 ))
cat > "$work/slurm.conf" <<CONF
ClusterName=sbic-test
SlurmctldHost=$host
SlurmUser=$(id -un)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
$(slurmd -C | head -1)
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
slurmctld -D -i -f "$SLURM_CONF" > "$work/slurmctld.out" 2>&1 & pids+=($!)
slurmd -D -f "$SLURM_CONF" > "$work/slurmd.out" 2>&1 & pids+=($!)
for _ in $(seq 60); do sinfo -h -o %t 2>/dev/null | grep -qx idle && break; sleep 1; done
sinfo

start=$(date +%s)
serial_reference "$work/serial"
echo "serial sbic reproduce --jobs 1: $(grep -c ' C2ST ' "$work/serial.log") scores in $(( $(date +%s) - start )) s"

start=$(date +%s)
"$sbic" reproduce "${sweep[@]}" --out "$work/slurm" --plan > "$work/plan.txt"
runs=$(wc -l < "$work/plan.txt")
cd "$work"
sbatch --wait --array=1-"$runs"%2 "$repo/scripts/slurm/reproduce.sbatch" "$work/plan.txt"
echo "Slurm array of $runs runs, 2 at a time: $(( $(date +%s) - start )) s"
grep -h ' C2ST ' "$work"/sbic-sweep-*.out | sort
"$sbic" reproduce "${sweep[@]}" --out "$work/slurm" --report "$work/slurm.md" --report-only
same_tables "$work/serial.md" "$work/slurm.md"
