#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm executor's tests and for trying
# `pomdp experiment --executor slurm` without a real cluster. Needs root and Debian's slurm-wlm and
# munge (apt-get install slurm-wlm munge). No systemd, no cgroups: munged runs as the munge user,
# slurmctld and slurmd as root, everything (config, sockets, state, logs, pid files) in one folder.
#
#   test/slurm/cluster.sh start DIR [--accounting]   starts the cluster; prints `export SLURM_CONF=…`
#   test/slurm/cluster.sh stop DIR                   cancels its jobs, stops its daemons (by their pids)
#
# --accounting also starts MariaDB (its own data folder, listening on 127.0.0.1 only) and slurmdbd, so
# that sacct answers (apt-get install slurmdbd mariadb-server).
# Environment: POMDP_SLURM_PORT (slurmctld's port, default 6817; slurmd takes the next one, MariaDB and
# slurmdbd the two after).
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [--accounting] | stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || [ $# -eq 3 ] || usage
cmd=$1
dir=$2
accounting=0
if [ $# -eq 3 ]; then
  [ "$3" = --accounting ] || usage
  accounting=1
fi

stop() {
  if [ -f "$dir/slurm.conf" ] && [ -f "$dir/slurmctld.pid" ]; then
    SLURM_CONF="$dir/slurm.conf" timeout 10 scancel --user "$(id -un)" 2>/dev/null || true
  fi
  # All at once (each takes a second or two to stop), then SIGKILL for any still there after 5 s.
  local pids=() pidfile
  for daemon in slurmd slurmctld slurmdbd mysql/mariadbd munge/munged; do
    pidfile="$dir/$daemon.pid"
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null && pids+=("$pid")
    rm -f "$pidfile"
  done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
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
  if [ "$accounting" = 1 ]; then
    for tool in slurmdbd mariadbd mariadb-install-db; do
      command -v "$tool" >/dev/null || {
        echo "$0: $tool is not installed (apt-get install slurmdbd mariadb-server)" >&2
        exit 3
      }
    done
  fi
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
JobCompType=jobcomp/none
SchedulerParameters=sched_interval=1,bf_interval=1
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  if [ "$accounting" = 1 ]; then
    cat >>"$dir/slurm.conf" <<CONF
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=$host
AccountingStoragePort=$((port + 3))
AccountingStoragePass=$dir/munge/munge.socket
CONF
  else
    echo "AccountingStorageType=accounting_storage/none" >>"$dir/slurm.conf"
  fi
  runuser -u munge -- munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  export SLURM_CONF=$dir/slurm.conf
  [ "$accounting" = 0 ] || start_accounting "$port" "$host"
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

# MariaDB in DIR/mysql (127.0.0.1:port+2) and slurmdbd (port+3), configured in DIR/slurmdbd.conf.
start_accounting() {
  local port=$1 host=$2 db=$dir/mysql
  if [ ! -d "$db/data" ]; then
    mkdir -p "$db/data"
    chown -R mysql:mysql "$db"
    mariadb-install-db --user=mysql --datadir="$db/data" --skip-test-db >"$db/install.log" 2>&1
  fi
  # mariadbd stays in the foreground: started in the background, its pid file says where it is.
  setsid mariadbd --user=mysql --datadir="$db/data" --socket="$db/mysqld.sock" --pid-file="$db/mariadbd.pid" \
    --bind-address=127.0.0.1 --port=$((port + 2)) --log-error="$db/error.log" </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 100); do
    [ -S "$db/mysqld.sock" ] && break
    sleep 0.1
  done
  mariadb --socket="$db/mysqld.sock" -e "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'pomdp';
    GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';" || {
    echo "$0: MariaDB did not start: see $db/error.log" >&2
    stop
    exit 1
  }
  cat >"$dir/slurmdbd.conf" <<CONF
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
DbdHost=$host
DbdPort=$((port + 3))
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$((port + 2))
StorageUser=slurm
StoragePass=pomdp
StorageLoc=slurm_acct_db
PidFile=$dir/slurmdbd.pid
LogFile=$dir/slurmdbd.log
CONF
  chmod 600 "$dir/slurmdbd.conf"
  slurmdbd
  for _ in $(seq 1 100); do
    timeout 5 sacctmgr --noheader list cluster >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$0: slurmdbd did not start within 10 s: see $dir/slurmdbd.log" >&2
  stop
  exit 1
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) usage ;;
esac
