#!/usr/bin/env bash
# One task of a sweep's Slurm job array: runs shard $SLURM_ARRAY_TASK_ID of N into <out>/shards/<task id>.
# Submitted by scripts/slurm/sweep-array.sh, which also merges the shards; a re-submitted task resumes (points
# already in its shard directory are not run again). Leaves out: submission, waiting and merging.
#
#   sbatch --array=0-<N-1> sweep-job.sh <explorer> <spec.yaml> <N> <out> <jobs per task>
#SBATCH --job-name=llmx-sweep
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: sweep-job.sh <explorer> <spec.yaml> <shards> <out> <jobs>" >&2; exit 2; }
explorer="$1" spec="$2" shards="$3" out="$4" jobs="$5"
task="${SLURM_ARRAY_TASK_ID:?sweep-job.sh runs as a Slurm array task (sbatch --array)}"
exec "$explorer" sweep "$spec" -j "$jobs" --shard "$task/$shards" --out "$out/shards/$task"
