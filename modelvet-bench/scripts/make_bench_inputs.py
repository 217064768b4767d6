#!/usr/bin/env python3
"""Makes the large benchmark inputs with the Python standard library only (nothing is loaded or run).

  dict1m.pkl     protocol-4 pickle of a 1,000,000-entry dict (str -> float), about 25 MB
  legacy1g.pt    legacy torch.save layout (five pickles, then raw storages), about 1 GB

The legacy file's globals are written by pickling stand-in functions registered under torch's
module names in this process, so the bytes match what torch.save(_use_new_zipfile_serialization=False)
writes without needing torch.
"""
import collections
import os
import pickle
import struct
import sys
import types

out = sys.argv[1] if len(sys.argv) > 1 else "bench-work"
size_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
os.makedirs(out, exist_ok=True)

# (a) a big flat dict.
d = {"param_%07d" % i: i * 0.5 for i in range(1_000_000)}
with open(os.path.join(out, "dict1m.pkl"), "wb") as f:
    pickle.dump(d, f, protocol=4)
del d

# (b) legacy torch layout.
torch_mod = types.ModuleType("torch")
utils_mod = types.ModuleType("torch._utils")


def _rebuild_tensor_v2(*args):  # stand-in, never called
    raise RuntimeError


class FloatStorage:  # stand-in, never instantiated
    pass


_rebuild_tensor_v2.__module__ = "torch._utils"
_rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
FloatStorage.__module__ = "torch"
FloatStorage.__qualname__ = "FloatStorage"
utils_mod._rebuild_tensor_v2 = _rebuild_tensor_v2
torch_mod.FloatStorage = FloatStorage
torch_mod._utils = utils_mod
sys.modules["torch"] = torch_mod
sys.modules["torch._utils"] = utils_mod


class Storage:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class Tensor:
    def __init__(self, storage, shape):
        self.storage, self.shape = storage, shape

    def __reduce_ex__(self, proto):
        stride = (self.shape[1], 1)
        return (_rebuild_tensor_v2, (self.storage, 0, self.shape, stride, False, collections.OrderedDict()))


class LegacyPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", FloatStorage, obj.key, "cpu", obj.numel, None)
        return None


rows = 4096
cols = 4096  # 64 MiB per float32 tensor
n_tensors = max(1, (size_mb * 1024 * 1024) // (rows * cols * 4))
state = collections.OrderedDict()
storages = []
for i in range(n_tensors):
    s = Storage(str(i), rows * cols)
    storages.append(s)
    state["layer%d.weight" % i] = Tensor(s, (rows, cols))

path = os.path.join(out, "legacy1g.pt")
with open(path, "wb") as f:
    pickle.dump(0x1950A86A20F9469CFC6C, f, protocol=2)
    pickle.dump(1001, f, protocol=2)
    pickle.dump({"protocol_version": 1001, "little_endian": True,
                 "type_sizes": {"short": 2, "int": 4, "long": 4}}, f, protocol=2)
    LegacyPickler(f, protocol=2).dump(state)
    pickle.dump([s.key for s in storages], f, protocol=2)
    chunk = os.urandom(1 << 20)
    for s in storages:
        f.write(struct.pack("<q", s.numel))
        remaining = s.numel * 4
        while remaining > 0:
            n = min(remaining, len(chunk))
            f.write(chunk[:n])
            remaining -= n
print(out)
