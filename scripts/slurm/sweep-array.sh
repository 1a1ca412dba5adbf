#!/usr/bin/env bash
# Runs a sweep on a Slurm cluster as a job array (one array task per shard, scripts/slurm/sweep-job.sh),
# waits for it (sbatch --wait under `timeout`; the job is cancelled on timeout), then merges the shards into
# <out>/results.csv, identical to what `explorer sweep` without --shard writes. Re-running the same command
# resumes: finished points are not run again. Leaves out: job accounting, retries of failed tasks.
#
#   scripts/slurm/sweep-array.sh <spec.yaml> --shards N --out DIR [-j J] [--timeout SECONDS]
#                                [--explorer PATH] [-- <extra sbatch options>...]
# Layout of DIR: points.csv (the sweep's points), shards/<i>/ (each shard's sweep directory), slurm/ (job
# output per task), and the merged results.csv, sweep.txt and points/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() {
  echo "usage: $0 <spec.yaml> --shards N --out DIR [-j J] [--timeout SECONDS] [--explorer PATH] [-- sbatch options]" >&2
  exit 2
}

spec="" shards="" out="" jobs=1 limit=86400 explorer="${LLMX_EXPLORER:-$root/build/explorer}"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --shards) shards="${2:?}"; shift 2 ;;
    --out) out="${2:?}"; shift 2 ;;
    -j) jobs="${2:?}"; shift 2 ;;
    --timeout) limit="${2:?}"; shift 2 ;;
    --explorer) explorer="${2:?}"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -*) usage ;;
    *) [ -z "$spec" ] || usage; spec="$1"; shift ;;
  esac
done
[ -n "$spec" ] && [ -n "$out" ] && [ -n "$shards" ] || usage
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "sweep-array: --shards must be a positive count" >&2; exit 2; }
[ -x "$explorer" ] || { echo "sweep-array: explorer binary '$explorer' not found (build it, or --explorer)" >&2; exit 1; }
command -v sbatch >/dev/null || { echo "sweep-array: sbatch not found (is this a Slurm submit host?)" >&2; exit 1; }

# Absolute paths: the tasks run from Slurm's spool copy of the job script.
explorer="$(cd "$(dirname "$explorer")" && pwd)/$(basename "$explorer")"
spec="$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec")"
mkdir -p "$out/slurm" "$out/shards"
out="$(cd "$out" && pwd)"

# Check the spec before submitting anything (a bad spec gives its one-line error here).
"$explorer" sweep "$spec" --list > "$out/points.csv.tmp"
mv "$out/points.csv.tmp" "$out/points.csv"
echo "sweep-array: $(($(wc -l < "$out/points.csv") - 1)) points in $shards shards -> $out" >&2

set +e
timeout "$limit" sbatch --parsable --wait --array="0-$((shards - 1))" --cpus-per-task="$jobs" \
  --output="$out/slurm/%A_%a.out" "${extra[@]}" \
  "$here/sweep-job.sh" "$explorer" "$spec" "$shards" "$out" "$jobs" > "$out/slurm/job-id"
rc=$?
set -e
job="$(head -n1 "$out/slurm/job-id" | cut -d';' -f1)"
if [ "$rc" -eq 124 ]; then
  [ -n "$job" ] && scancel "$job" 2>/dev/null || true
  echo "sweep-array: job ${job:-?} not finished after $limit s; cancelled (re-run to resume)" >&2
  exit 1
fi
[ "$rc" -eq 0 ] || echo "sweep-array: job ${job:-?}: some array tasks failed (sbatch exit $rc); see $out/slurm/" >&2

dirs=()
for ((i = 0; i < shards; i++)); do dirs+=("$out/shards/$i"); done
"$explorer" sweep merge "${dirs[@]}" --out "$out"
