#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm executor's tests and for trying
# `pomdp experiment --executor slurm` without a real cluster. Needs root and Debian's slurm-wlm and
# munge (apt-get install slurm-wlm munge). No systemd, no cgroups: munged runs as the munge user,
# slurmctld and slurmd as root, everything (config, sockets, state, logs, pid files) in one folder.
#
#   test/slurm/cluster.sh start DIR   starts the cluster; prints `export SLURM_CONF=DIR/slurm.conf`
#   test/slurm/cluster.sh stop DIR    cancels its jobs and stops its daemons (by the pids in DIR)
#
# Environment: POMDP_SLURM_PORT (slurmctld's port, default 6817; slurmd takes the next one).
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

stop() {
  if [ -f "$dir/slurm.conf" ] && [ -f "$dir/slurmctld.pid" ]; then
    SLURM_CONF="$dir/slurm.conf" timeout 10 scancel --user "$(id -un)" 2>/dev/null || true
  fi
  for daemon in slurmd slurmctld munge/munged; do
    pidfile="$dir/$daemon.pid"
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

start() {
  for tool in munged slurmctld slurmd sbatch; do
    command -v "$tool" >/dev/null || {
      echo "$0: $tool is not installed (apt-get install slurm-wlm munge)" >&2
      exit 3
    }
  done
  [ "$(id -u)" -eq 0 ] || {
    echo "$0: must run as root (slurmd and slurmctld run as root here)" >&2
    exit 3
  }
  local port=${POMDP_SLURM_PORT:-6817}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  chmod 755 "$dir"
  mkdir -p "$dir/munge" "$dir/ctld" "$dir/spool"
  # munged insists on a key and a socket folder that only its user can read.
  chown munge:munge "$dir/munge"
  chmod 700 "$dir/munge"
  if [ ! -f "$dir/munge/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chown munge:munge "$dir/munge/munge.key"
    chmod 400 "$dir/munge/munge.key"
  fi
  local host cpus memory
  host=$(hostname -s)
  cpus=$(nproc)
  memory=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512))
  cat >"$dir/slurm.conf" <<CONF
# Written by test/slurm/cluster.sh: one node ($host, $cpus CPUs), no accounting, no cgroups.
ClusterName=pomdp-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdTimeout=5
SlurmctldTimeout=10
MessageTimeout=5
KillWait=10
MinJobAge=30
InactiveLimit=0
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerParameters=sched_interval=1,bf_interval=1
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  runuser -u munge -- munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -c
  slurmd
  # Ready when the node takes jobs.
  for _ in $(seq 1 100); do
    if sinfo --noheader --format=%t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "export SLURM_CONF=$dir/slurm.conf"
      return 0
    fi
    sleep 0.1
  done
  echo "$0: the node did not come up within 10 s: see $dir/slurmctld.log and $dir/slurmd.log" >&2
  stop
  exit 1
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) usage ;;
esac
