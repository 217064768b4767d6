package dev.modelvet.convert;

import dev.modelvet.container.ZipArchive;
import dev.modelvet.format.numpy.NumpyScanner;
import dev.modelvet.format.pickle.TorchDtype;
import dev.modelvet.format.pickle.WeightsUnpickler;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FileByteSource;
import dev.modelvet.scan.Limits;
import dev.modelvet.scan.Spooler;
import dev.modelvet.scan.TempFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Converts a PyTorch checkpoint (zip or legacy format; a state_dict or nested dicts/lists of tensors)
 * or NumPy .npy/.npz arrays into a safetensors file, without executing anything: the pickle is read by
 * {@link WeightsUnpickler}, which accepts only what {@code torch.load(weights_only=True)} accepts.
 *
 * <p>Shared storages and views: safetensors forbids overlapping tensors, so every tensor is written
 * as its own contiguous copy of exactly its elements (a view of a larger storage writes only the
 * view; two tensors sharing a storage are written twice). {@link Result#sharedStorages()} counts them.
 */
public final class SafetensorsConverter {
    private static final byte[] NPY = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final byte[] TORCH_LEGACY = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e};

    /**
     * @param inputFormat    torch-zip, torch-legacy, npy or npz
     * @param tensors        tensors written
     * @param bytes          tensor bytes written
     * @param sharedStorages storages referenced by more than one tensor (each tensor got its own copy)
     * @param skipped        non-tensor values left out (name = type)
     */
    public record Result(String inputFormat, int tensors, long bytes, int sharedStorages, List<String> skipped) {
    }

    private final Limits limits;

    public SafetensorsConverter(Limits limits) {
        this.limits = limits;
    }

    public Result convert(Path input, Path output) throws IOException {
        try (FileByteSource src = FileByteSource.open(input); TempFiles temp = new TempFiles()) {
            Spooler spooler = new Spooler(limits, temp);
            byte[] head = src.readAt(0, 16);
            if (startsWith(head, NPY)) return numpy(src, output);
            if (startsWith(head, TORCH_LEGACY)) return legacy(src, output);
            if (ZipArchive.isZip(src)) {
                ZipArchive zip = ZipArchive.read(src, limits.maxArchiveEntries(), spooler);
                if (zip.names().stream().anyMatch(n -> n.equals("data.pkl") || n.endsWith("/data.pkl"))) return torchZip(zip, output);
                return npz(zip, output);
            }
            throw new ConversionException("not a PyTorch checkpoint or NumPy file (" + input.getFileName() + ")");
        }
    }

    private Result torchZip(ZipArchive zip, Path output) throws IOException {
        String first = zip.names().get(0);
        int slash = first.indexOf('/');
        if (slash <= 0) throw new ConversionException("PyTorch archive without a top-level folder (first entry '" + first + "')");
        String root = first.substring(0, slash);
        if (zip.open(root + "/constants.pkl") != null) {
            throw new ConversionException("TorchScript archive: torch.load(weights_only=True) refuses these (CVE-2025-32434)");
        }
        ByteSource order = zip.open(root + "/byteorder");
        if (order != null && !new String(order.readAt(0, 16), StandardCharsets.US_ASCII).trim().equals("little")) {
            throw new ConversionException("big-endian checkpoints are not supported");
        }
        ByteSource data = zip.open(root + "/data.pkl");
        if (data == null) throw new ConversionException("no " + root + "/data.pkl in the archive");
        Object value = WeightsUnpickler.load(data, 0, limits).value();
        Map<String, ByteSource> storages = new HashMap<>();
        return write("torch-zip", value, key -> {
            ByteSource s = storages.get(key);
            if (s == null) {
                s = zip.open(root + "/data/" + key);
                if (s == null) throw new ConversionException("storage '" + key + "' is missing from the archive");
                storages.put(key, s);
            }
            return s;
        }, output);
    }

    private Result legacy(ByteSource src, Path output) throws IOException {
        long pos = 0;
        Object value = null;
        List<?> keys = null;
        for (int i = 0; i < 5; i++) {
            WeightsUnpickler.Loaded l = WeightsUnpickler.load(src, pos, limits);
            pos = l.end();
            if (i == 2 && l.value() instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
                throw new ConversionException("big-endian checkpoints are not supported");
            }
            if (i == 3) value = l.value();
            if (i == 4) {
                if (!(l.value() instanceof List<?> k)) throw new ConversionException("legacy checkpoint: storage key list missing");
                keys = k;
            }
        }
        Map<String, WeightsUnpickler.Storage> byKey = new HashMap<>();
        collectStorages(value, byKey, 0);
        Map<String, ByteSource> storages = new HashMap<>();
        for (Object k : keys) {
            String key = String.valueOf(k);
            WeightsUnpickler.Storage s = byKey.get(key);
            if (s == null || s.dtype() == null) throw new ConversionException("legacy checkpoint: storage '" + key + "' has no known type");
            byte[] n = src.readAt(pos, 8);
            if (n.length < 8) throw new ConversionException("legacy checkpoint truncated at storage '" + key + "'");
            long numel = 0;
            for (int i = 7; i >= 0; i--) numel = (numel << 8) | (n[i] & 0xFF);
            long bytes = Math.multiplyExact(numel, (long) s.dtype().size());
            if (numel < 0 || pos + 8 + bytes > src.size()) throw new ConversionException("legacy checkpoint truncated in storage '" + key + "'");
            storages.put(key, src.slice(pos + 8, bytes));
            pos += 8 + bytes;
        }
        return write("torch-legacy", value, key -> {
            ByteSource s = storages.get(key);
            if (s == null) throw new ConversionException("storage '" + key + "' is not in the file");
            return s;
        }, output);
    }

    private static void collectStorages(Object v, Map<String, WeightsUnpickler.Storage> out, int depth) {
        if (depth > 64) return;
        if (v instanceof WeightsUnpickler.Tensor t) out.put(t.storage().key(), t.storage());
        else if (v instanceof Map<?, ?> m) m.values().forEach(x -> collectStorages(x, out, depth + 1));
        else if (v instanceof List<?> l) l.forEach(x -> collectStorages(x, out, depth + 1));
        else if (v instanceof WeightsUnpickler.Tuple t) t.items().forEach(x -> collectStorages(x, out, depth + 1));
    }

    private interface StorageLookup {
        ByteSource bytes(String key) throws IOException;
    }

    private Result write(String format, Object value, StorageLookup lookup, Path output) throws IOException {
        Map<String, WeightsUnpickler.Tensor> tensors = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        flatten("", value, tensors, skipped, 0);
        if (tensors.isEmpty()) throw new ConversionException("no tensors found in the checkpoint");
        Map<String, Integer> uses = new HashMap<>();
        List<TensorSource> sources = new ArrayList<>();
        for (Map.Entry<String, WeightsUnpickler.Tensor> e : tensors.entrySet()) {
            WeightsUnpickler.Tensor t = e.getValue();
            uses.merge(t.storage().key(), 1, Integer::sum);
            TensorSource ts = new TensorSource(e.getKey(), t.dtype().safetensorsName(), t.dtype().size(), t.size(),
                    lookup.bytes(t.storage().key()), t.offset(), t.stride(), t.storage().key());
            ts.checkBounds();
            sources.add(ts);
        }
        return finish(format, sources, skipped, (int) uses.values().stream().filter(n -> n > 1).count(), output);
    }

    private Result finish(String format, List<TensorSource> sources, List<String> skipped, int shared, Path output) throws IOException {
        sources.sort(Comparator.comparing(TensorSource::name));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", format.startsWith("torch") ? "pt" : "np");
        SafetensorsWriter.write(output, sources, metadata);
        long bytes = 0;
        for (TensorSource s : sources) bytes += s.byteLength();
        return new Result(format, sources.size(), bytes, shared, skipped);
    }

    private static void flatten(String prefix, Object v, Map<String, WeightsUnpickler.Tensor> out, List<String> skipped,
                                int depth) throws ConversionException {
        if (depth > 64) throw new ConversionException("checkpoint nested more than 64 levels");
        if (v instanceof WeightsUnpickler.Tensor t) {
            String name = prefix.isEmpty() ? "tensor" : prefix;
            if (out.put(name, t) != null) throw new ConversionException("two tensors would be named '" + name + "'");
        } else if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) flatten(join(prefix, String.valueOf(e.getKey())), e.getValue(), out, skipped, depth + 1);
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) flatten(join(prefix, Integer.toString(i)), l.get(i), out, skipped, depth + 1);
        } else if (v instanceof WeightsUnpickler.Tuple t) {
            for (int i = 0; i < t.items().size(); i++) flatten(join(prefix, Integer.toString(i)), t.items().get(i), out, skipped, depth + 1);
        } else if (v != WeightsUnpickler.NONE) {
            skipped.add((prefix.isEmpty() ? "<root>" : prefix) + " = " + (v == null ? "null" : v.getClass().getSimpleName()));
        }
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    private Result numpy(ByteSource src, Path output) throws IOException {
        TensorSource t = npyTensor("array", src);
        return finish("npy", new ArrayList<>(List.of(t)), List.of(), 0, output);
    }

    private Result npz(ZipArchive zip, Path output) throws IOException {
        List<TensorSource> sources = new ArrayList<>();
        for (String name : zip.names()) {
            if (name.endsWith("/")) continue;
            if (!name.endsWith(".npy")) throw new ConversionException("zip entry '" + name + "' is not a .npy array");
            sources.add(npyTensor(name.substring(0, name.length() - 4), zip.open(name)));
        }
        if (sources.isEmpty()) throw new ConversionException("no arrays in the .npz");
        return finish("npz", sources, List.of(), 0, output);
    }

    private TensorSource npyTensor(String name, ByteSource src) throws IOException {
        if (!startsWith(src.readAt(0, 6), NPY)) throw new ConversionException("'" + name + "' is not a .npy array");
        NumpyScanner.Header h = NumpyScanner.readHeader(src);
        if (!(h.descr() instanceof String descr)) throw new ConversionException("'" + name + "': structured dtypes cannot be stored in safetensors");
        TorchDtype dt = numpyDtype(descr);
        if (dt == null) throw new ConversionException("'" + name + "': dtype " + descr + " cannot be stored in safetensors");
        long[] shape = h.shape();
        long[] stride = new long[shape.length];
        long acc = 1;
        if (h.fortranOrder()) {
            for (int i = 0; i < shape.length; i++) {
                stride[i] = acc;
                acc = Math.multiplyExact(acc, Math.max(1, shape[i]));
            }
        } else {
            for (int i = shape.length - 1; i >= 0; i--) {
                stride[i] = acc;
                acc = Math.multiplyExact(acc, Math.max(1, shape[i]));
            }
        }
        long numel = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        long bytes = Math.multiplyExact(numel, (long) dt.size());
        if (h.dataOffset() + bytes > src.size()) throw new ConversionException("'" + name + "': array data is truncated");
        TensorSource t = new TensorSource(name, dt.safetensorsName(), dt.size(), shape, src.slice(h.dataOffset(), bytes), 0, stride, name);
        t.checkBounds();
        return t;
    }

    private static TorchDtype numpyDtype(String descr) throws ConversionException {
        if (descr.startsWith(">") && !descr.endsWith("1")) throw new ConversionException("big-endian arrays are not supported (" + descr + ")");
        String d = descr.replaceFirst("^[<>|=]", "");
        return switch (d) {
            case "f8" -> TorchDtype.F64;
            case "f4" -> TorchDtype.F32;
            case "f2" -> TorchDtype.F16;
            case "i8" -> TorchDtype.I64;
            case "i4" -> TorchDtype.I32;
            case "i2" -> TorchDtype.I16;
            case "i1" -> TorchDtype.I8;
            case "u1" -> TorchDtype.U8;
            case "u2" -> TorchDtype.U16;
            case "u4" -> TorchDtype.U32;
            case "u8" -> TorchDtype.U64;
            case "b1" -> TorchDtype.BOOL;
            case "c8" -> TorchDtype.C64;
            default -> null;
        };
    }

    private static boolean startsWith(byte[] b, byte[] magic) {
        if (b.length < magic.length) return false;
        for (int i = 0; i < magic.length; i++) if (b[i] != magic[i]) return false;
        return true;
    }
}
