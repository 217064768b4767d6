#!/usr/bin/env bash
# Files per second of `modelvet scan-code` on a generated tree of Python files (default 2,000).
# Usage: modelvet-bench/code-bench.sh [WORKDIR] [FILES]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$root/bench-work/code}"
count="${2:-2000}"
if [ ! -d "$work" ]; then
  python3 - "$work" "$count" <<'PY'
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
body = '''import os
import pickle
import torch
import yaml
from flask import request


class Service{i}:
    def __init__(self, path):
        self.path = path
        self.model = torch.load(path, weights_only=True)

    def handle(self):
        data = request.get_data()
        if {i} % 7 == 0:
            return pickle.loads(data)
        cfg = yaml.safe_load(open(self.path))
        return [x * 2 for x in range(100) if x % 3 == 0], cfg


def helper_{i}(values):
    total = 0
    for v in values:
        total += v ** 2
    return total / max(1, len(values))
'''
for i in range(n):
    d = os.path.join(out, "pkg%02d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "mod_%d.py" % i), "w") as f:
        f.write(body.replace("{i}", str(i)) * 3)
PY
fi
"$root/bin/modelvet" --version >/dev/null
start=$(date +%s.%N)
"$root/bin/modelvet" scan-code --format json -o /dev/null "$work" || true
end=$(date +%s.%N)
files=$(find "$work" -name '*.py' | wc -l)
lines=$(cat "$work"/*/*.py | wc -l)
awk -v f="$files" -v l="$lines" -v s="$start" -v e="$end" 'BEGIN{ t=e-s; printf "files=%d lines=%d seconds=%.2f files/s=%.0f lines/s=%.0f\n", f, l, t, f/t, l/t }'
