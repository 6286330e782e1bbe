#!/usr/bin/env bash
# Compares the refresh storm (P4) of two revisions on this machine, interleaved so both see the same machine load:
#
#   scripts/storm-ab.sh REV_A REV_B [--rounds N] [--results-dir DIR] [-- storm options]
#
# Builds each revision in a git worktree (Release), then runs N rounds (default 2) of A then B, each
# `ViaSocket.LoadTests suite --skip-http --skip-grains` with the storm options (default --storm-connections 10000
# --storm-spread 3 --memory-levels 1000). Writes DIR/<date>-storm-ab.md (DIR defaults to bench/results): one row
# per run (refreshes/s, delays, CPU, P5 bytes per idle connection), each revision's mean refreshes/s and the ratio
# B / A. The runs' own reports stay in the work directory.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 2 ] || usage
rev_a="$1" rev_b="$2"
shift 2
rounds=2
results_dir="$repo/bench/results"
storm_options=(--storm-connections 10000 --storm-spread 3 --memory-levels 1000)
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --results-dir) results_dir="$2"; shift 2 ;;
    --) shift; storm_options=("$@"); break ;;
    *) usage ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || usage

work="${TMPDIR:-/tmp}/viasocket-storm-ab-$$"
mkdir -p "$work" "$results_dir"
cleanup() {
  for side in a b; do git -C "$repo" worktree remove --force "$work/$side" 2>/dev/null || true; done
}
trap cleanup EXIT

declare -A commit
for side in a b; do
  rev="$rev_a"; [ "$side" = b ] && rev="$rev_b"
  commit[$side]="$(git -C "$repo" rev-parse --verify "$rev^{commit}")"
  git -C "$repo" worktree add --detach --force "$work/$side" "${commit[$side]}" >/dev/null
  echo "storm-ab: building $side = ${commit[$side]:0:7}" >&2
  dotnet build "$work/$side/bench/ViaSocket.LoadTests" -c Release -nologo -v quiet >"$work/build-$side.log" 2>&1 \
    || { echo "storm-ab: build of $rev failed, see $work/build-$side.log" >&2; exit 1; }
done

# One markdown table cell of a suite report: the value column of the row whose label starts with $2.
cell() { awk -F'|' -v label="$2" 'index($2, " " label) == 1 { gsub(/^ +| +$/, "", $3); print $3; exit }' "$1"; }
# The measured P5 cell of the headline row of the largest memory level (the last one).
memory() { awk -F'|' 'index($2, " P5 bytes per active idle connection at") == 1 { gsub(/^ +| +$/, "", $4); value = $4 } END { print value }' "$1"; }

rows=()
for round in $(seq 1 "$rounds"); do
  for side in a b; do
    out="$work/$side-$round"
    echo "storm-ab: round $round, $side (${commit[$side]:0:7})" >&2
    (cd "$work/$side" && dotnet run -c Release --no-build --project bench/ViaSocket.LoadTests -- \
      suite --skip-http --skip-grains "${storm_options[@]}" --results-dir "$out" >"$out.log" 2>&1) \
      || { echo "storm-ab: run failed, see $out.log" >&2; exit 1; }
    report="$(ls "$out"/*-suite.md)"
    rows+=("$side|$round|$(cell "$report" "refreshes/s over the drain time")|$(cell "$report" "drain time")|$(cell "$report" "delay after falling due")|$(cell "$report" "CPU per refresh")|$(cell "$report" "cores while draining")|$(memory "$report")|$(cell "$report" "credential reads during the storm")|$(cell "$report" "credential read answer time")")
  done
done

summary="$results_dir/$(date +%F)-storm-ab.md"
{
  echo "# Refresh storm A/B: ${commit[a]:0:7} (A) vs ${commit[b]:0:7} (B)"
  echo
  echo "Measured $(date '+%F %H:%M %z') on $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $rounds rounds of A then B, each:"
  echo
  echo '```'
  echo "scripts/storm-ab.sh $rev_a $rev_b --rounds $rounds -- ${storm_options[*]}"
  echo "# per run: dotnet run -c Release --project bench/ViaSocket.LoadTests -- suite --skip-http --skip-grains ${storm_options[*]}"
  echo '```'
  echo
  echo "| revision | round | refreshes/s | drain time | delay after falling due: min / p1 / p50 / p99 / max | CPU per refresh: process / PostgreSQL | cores: process / PostgreSQL / machine | bytes per idle connection (largest memory level): managed / RSS | credential reads during the storm: ok / errors | read answer time: min / p1 / p50 / p99 / max |"
  echo "|---|---:|---:|---:|---|---|---|---|---|---|"
  for row in "${rows[@]}"; do
    IFS='|' read -r side round rate drain delay cpu cores memory reads answer <<<"$row"
    echo "| $side ${commit[$side]:0:7} | $round | $rate | $drain | $delay | $cpu | $cores | $memory | $reads | $answer |"
  done
  echo
  printf '%s\n' "${rows[@]}" | awk -F'|' '
    { gsub(/,/, "", $3); sum[$1] += $3; n[$1]++ }
    END {
      a = sum["a"] / n["a"]; b = sum["b"] / n["b"]
      printf "Mean refreshes/s: A %.0f, B %.0f; B / A = %.2f.\n", a, b, b / a
    }'
} >"$summary"
echo "storm-ab: wrote $summary" >&2
