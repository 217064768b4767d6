#!/usr/bin/env bash
# Benchmarks `modelvet scan` on large inputs: wall time, MB/s and peak RSS, next to the read floor
# (`cat FILE > /dev/null`). Usage: modelvet-bench/bench.sh [WORKDIR] [LEGACY_SIZE_MB]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$root/bench-work}"
size_mb="${2:-1024}"
if [ ! -f "$work/dict1m.pkl" ] || [ ! -f "$work/legacy1g.pt" ]; then
  python3 "$root/modelvet-bench/scripts/make_bench_inputs.py" "$work" "$size_mb" >/dev/null
fi
"$root/bin/modelvet" --version >/dev/null   # builds the jar if needed
tfile="$(mktemp)"
measure() { # prints "seconds maxrss_kb"
  /usr/bin/time -f "%e %M" -o "$tfile" "$@" >/dev/null 2>&1 || true
  tail -1 "$tfile"
}
printf "%-14s %10s %10s %10s %12s %10s\n" file MB scan_s MB/s peak_rss_MB cat_s
for f in dict1m.pkl legacy1g.pt; do
  file="$work/$f"
  mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN{printf "%.1f", b/1048576}')
  cat "$file" > /dev/null   # warm the page cache for both measurements
  best=""; rss=""
  for i in 1 2 3; do
    read -r s r < <(measure "$root/bin/modelvet" scan --format json -o /dev/null "$file")
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$s; rss=$r; fi
  done
  read -r c _ < <(measure cat "$file")
  mbs=$(awk -v m="$mb" -v s="$best" 'BEGIN{ if (s>0) printf "%.0f", m/s; else print "inf" }')
  printf "%-14s %10s %10s %10s %12s %10s\n" "$f" "$mb" "$best" "$mbs" "$((rss/1024))" "$c"
done
