#!/usr/bin/env bash
# First scan vs cached re-scan of a generated 10,000-file model store.
# Usage: modelvet-bench/cache-bench.sh [WORKDIR] [FILES]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$root/bench-work/store}"
count="${2:-10000}"
if [ ! -d "$work" ]; then
  python3 - "$work" "$count" <<'PY'
import io, os, pickle, struct, sys, zipfile
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
for i in range(n):
    d = os.path.join(out, "m%03d" % (i // 500))
    os.makedirs(d, exist_ok=True)
    k = i % 4
    if k == 0:
        data = pickle.dumps({"w%d" % j: [float(j)] * 8 for j in range(2000)}, protocol=4)
        name = "state_%d.pkl" % i
    elif k == 1:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("archive/data.pkl", pickle.dumps([1, 2, 3], protocol=2))
            z.writestr("archive/data/0", os.urandom(65536))
        data, name = buf.getvalue(), "model_%d.pt" % i
    elif k == 2:
        hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (16,), }"
        hdr += " " * (64 - (10 + len(hdr) + 1) % 64) + "\n"
        data, name = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + bytes(64), "arr_%d.npy" % i
    else:
        data, name = ("notes for run %d\n" % i).encode() * 10, "README_%d.txt" % i
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
PY
fi
"$root/bin/modelvet" --version >/dev/null
db="$(mktemp -d)/cache.db"
t() { /usr/bin/time -f "%e" "$@" >/dev/null 2>/tmp/modelvet-cache-bench.t || true; tail -1 /tmp/modelvet-cache-bench.t; }
nocache=$(t "$root/bin/modelvet" scan --no-cache --no-progress --format json -o /dev/null "$work")
first=$(t "$root/bin/modelvet" scan --cache-file "$db" --no-progress --format json -o /dev/null "$work")
cached=$(t "$root/bin/modelvet" scan --cache-file "$db" --no-progress --format json -o /dev/null "$work")
echo "files=$(find "$work" -type f | wc -l) no-cache=${nocache}s first(with cache)=${first}s cached=${cached}s"
