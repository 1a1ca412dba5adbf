#!/usr/bin/env bash
# A private, single-node Slurm cluster on localhost for tests and for trying the array-job scripts: its own
# munge daemon (own socket and key), slurmctld and slurmd on free ports, all state under <dir>. Needs root
# (slurmd runs jobs as their user) and the Debian packages slurm-wlm and munge (scripts/setup.sh tests).
# Leaves out: accounting, cgroups (proctrack/linuxproc and task/none work where cgroups do not), multi-node.
#
#   scripts/slurm/local-cluster.sh start <dir>   # prints "export SLURM_CONF=<dir>/slurm.conf"; ready on return
#   scripts/slurm/local-cluster.sh stop <dir>    # stops the daemons it started (by their pid files)
set -euo pipefail

usage() { echo "usage: $0 start|stop <dir>" >&2; exit 2; }
[ $# -eq 2 ] || usage
action="$1"
dir="$2"

# True while process $1 exists and is not a zombie.
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }

# Stops the process whose pid is in file $1 (TERM, then KILL after 5 s), if it is still running.
stop_pidfile() {
  local file="$1" pid
  [ -s "$file" ] || return 0
  pid="$(cat "$file")"
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$file"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Two consecutive free TCP ports in the dynamic range, chosen at random so parallel clusters do not clash.
pick_ports() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 30000))
    if port_free "$p" && port_free "$((p + 1))"; then echo "$p"; return 0; fi
  done
  echo "local-cluster: no free ports found" >&2
  return 1
}

case "$action" in
  stop)
    [ -d "$dir" ] || exit 0
    stop_pidfile "$dir/run/slurmd.pid"
    stop_pidfile "$dir/run/slurmctld.pid"
    stop_pidfile "$dir/run/munged.pid"
    exit 0
    ;;
  start) ;;
  *) usage ;;
esac

for tool in munged mungekey slurmctld slurmd sbatch scontrol sinfo; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
    echo "local-cluster: '$tool' not found: install slurm-wlm and munge (scripts/setup.sh tests)" >&2
    exit 1
  }
done
export PATH="$PATH:/usr/sbin:/sbin"
[ "$(id -u)" -eq 0 ] || { echo "local-cluster: must run as root (slurmd)" >&2; exit 1; }

dir="$(mkdir -p "$dir" && cd "$dir" && pwd)"
mkdir -p "$dir/run" "$dir/log" "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"

# munge: a private key and socket, so the cluster never talks to (or needs) a system munged.
rm -f "$dir/munge/munge.key"
mungekey --create --keyfile="$dir/munge/munge.key" 2>/dev/null || \
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munge.seed"

port="$(pick_ports)"
host="$(hostname -s)"
cpus="$(nproc)"
node="llmx$(echo "$dir" | cksum | cut -c1-6)"
cat > "$dir/slurm.conf" <<CONF
# Written by scripts/slurm/local-cluster.sh: a private one-node cluster under $dir.
ClusterName=llmx
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
MinJobAge=5
ReturnToService=2
MpiDefault=none
NodeName=$node NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
export SLURM_CONF="$dir/slurm.conf"

slurmctld -i -f "$SLURM_CONF"
slurmd -N "$node" -f "$SLURM_CONF"

# Ready when the node is idle.
for _ in $(seq 100); do
  state="$(sinfo -h -N -n "$node" -o %t 2>/dev/null || true)"
  [ "$state" = "idle" ] && { echo "export SLURM_CONF=$SLURM_CONF"; exit 0; }
  sleep 0.2
done
echo "local-cluster: node $node not idle after 20 s (state '${state:-?}'); logs in $dir/log" >&2
exit 1
