package dev.modelvet.format.numpy;

import dev.modelvet.detect.Head;
import dev.modelvet.format.pickle.PickleScanner;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy .npy files (.npz members arrive here through the zip scanner). Object arrays carry a pickle
 * that {@code np.load(allow_pickle=True)} runs; it is scanned. Plain arrays are checked for size,
 * and bytes after the array data are scanned as a hidden second file.
 */
public final class NumpyScanner implements FormatScanner {

    /**
     * A parsed .npy header.
     *
     * @param descr        the dtype description (a string such as {@code <f4}, or a structured list)
     * @param fortranOrder column-major data
     * @param shape        dimensions
     * @param dataOffset   where the data (or the pickle, for object arrays) starts
     */
    public record Header(Object descr, boolean fortranOrder, long[] shape, long dataOffset) {
    }

    /** Parses the preamble and header dict of a .npy; throws with a one-line reason when malformed. */
    public static Header readHeader(ByteSource src) throws IOException {
        byte[] pre = src.readAt(0, 12);
        if (pre.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(pre, 6), MAGIC)) {
            throw new IOException("not a .npy file");
        }
        int major = pre[6] & 0xFF;
        long len;
        int prefix;
        if (major == 1) {
            len = (pre[8] & 0xFF) | ((pre[9] & 0xFF) << 8);
            prefix = 10;
        } else if ((major == 2 || major == 3) && pre.length >= 12) {
            len = ((pre[8] & 0xFFL) | ((pre[9] & 0xFFL) << 8) | ((pre[10] & 0xFFL) << 16) | ((pre[11] & 0xFFL) << 24));
            prefix = 12;
        } else {
            throw new IOException("unsupported .npy version " + major);
        }
        if (len > 1_000_000 || prefix + len > src.size()) throw new IOException(".npy header length " + len + " is implausible");
        String text = new String(src.readAt(prefix, (int) len), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> h;
        try {
            h = NpyHeader.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(".npy header: " + e.getMessage());
        }
        if (!(h.get("shape") instanceof List<?> dims)) throw new IOException(".npy header has no shape tuple");
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long v) || v < 0) throw new IOException(".npy shape is not a tuple of sizes");
            shape[i] = v;
        }
        return new Header(h.get("descr"), Boolean.TRUE.equals(h.get("fortran_order")), shape, prefix + len);
    }
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy's own max_header_size default; larger headers are refused unless allow_pickle=True. */
    private static final int NUMPY_MAX_HEADER = 10_000;
    private static final Pattern SIMPLE = Pattern.compile("([<>|=]?)([a-zA-Z?])(\\d*)(\\[[^]]*])?");

    @Override
    public String format() {
        return "numpy";
    }

    @Override
    public boolean detect(Head head) {
        return head.startsWith(MAGIC);
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        ByteSource src = artifact.source();
        if (src.size() < 10) {
            ctx.error(artifact, 0, "numpy-truncated", "npy file ends inside its preamble");
            return;
        }
        int major = head.at(6);
        int minor = head.at(7);
        long headerLength;
        int prefix;
        if (major == 1) {
            headerLength = head.at(8) | (head.at(9) << 8);
            prefix = 10;
        } else if (major == 2 || major == 3) {
            if (src.size() < 12) {
                ctx.error(artifact, 0, "numpy-truncated", "npy file ends inside its preamble");
                return;
            }
            headerLength = (head.at(8) | (head.at(9) << 8) | ((long) head.at(10) << 16) | ((long) head.at(11) << 24)) & 0xFFFFFFFFL;
            prefix = 12;
        } else {
            ctx.error(artifact, 6, "numpy-bad-version", "unsupported npy format version " + major + "." + minor);
            return;
        }
        if (headerLength > ctx.limits().maxHeaderBytes() || prefix + headerLength > src.size()) {
            ctx.error(artifact, 8, "numpy-bad-header", "npy header length " + headerLength + " exceeds the file or the header limit");
            return;
        }
        if (headerLength > NUMPY_MAX_HEADER) {
            ctx.finding(artifact, 8, "numpy-large-header", Severity.LOW,
                    "npy header of " + headerLength + " bytes: numpy refuses it unless allow_pickle=True", "", "");
        }
        byte[] raw = src.readAt(prefix, (int) headerLength);
        String text = new String(raw, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> header;
        try {
            header = NpyHeader.parse(text);
        } catch (IllegalArgumentException e) {
            ctx.error(artifact, prefix, "numpy-bad-header", "npy header: " + e.getMessage());
            return;
        }
        if (!header.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
            ctx.error(artifact, prefix, "numpy-bad-header", "npy header keys must be descr, fortran_order and shape, got " + header.keySet());
            return;
        }
        Object descr = header.get("descr");
        long dataOffset = prefix + headerLength;
        if (containsObject(descr)) {
            ctx.finding(artifact, dataOffset, "numpy-object-array", Severity.INFO,
                    "object array: np.load(allow_pickle=True) unpickles the data that follows", String.valueOf(descr), "CVE-2019-6446");
            long end = PickleScanner.scanStreams(artifact, dataOffset, ctx, 1, false, false);
            trailing(artifact, end, ctx);
            return;
        }
        long count = elementCount(header.get("shape"));
        long itemSize = itemSize(descr);
        if (count < 0 || itemSize < 0) {
            ctx.error(artifact, prefix, "numpy-bad-header", "npy header describes no readable array: descr=" + descr + " shape=" + header.get("shape"));
            return;
        }
        long expected;
        try {
            expected = Math.multiplyExact(count, itemSize);
        } catch (ArithmeticException e) {
            ctx.error(artifact, prefix, "numpy-bad-header", "npy array size overflows");
            return;
        }
        long actual = src.size() - dataOffset;
        if (actual < expected) {
            ctx.error(artifact, dataOffset, "numpy-truncated", "npy data holds " + actual + " bytes, the header needs " + expected);
            return;
        }
        trailing(artifact, dataOffset + expected, ctx);
    }

    private static void trailing(Artifact artifact, long end, ScanContext ctx) {
        long extra = artifact.size() - end;
        if (extra <= 0) return;
        ctx.finding(artifact, end, "numpy-trailing-data", Severity.LOW,
                extra + " bytes after the array data (numpy ignores them; another loader may not)", "", "");
        ctx.scanChild(artifact.child("<after-array>", artifact.source().slice(end, extra)));
    }

    static boolean containsObject(Object descr) {
        if (descr instanceof String s) {
            Matcher m = SIMPLE.matcher(s);
            return m.matches() ? m.group(2).equals("O") : s.contains("O");
        }
        if (descr instanceof List<?> l) {
            for (Object o : l) if (containsObject(o)) return true;
        }
        return false;
    }

    private static long elementCount(Object shape) {
        if (!(shape instanceof List<?> dims)) return -1;
        long n = 1;
        for (Object d : dims) {
            if (!(d instanceof Long v) || v < 0) return -1;
            try {
                n = Math.multiplyExact(n, v);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    /** Bytes per element for a descr string ('<f4', '|U10', '<M8[ns]') or a structured list. */
    static long itemSize(Object descr) {
        if (descr instanceof String s) {
            Matcher m = SIMPLE.matcher(s);
            if (!m.matches()) return -1;
            String kind = m.group(2);
            long digits = m.group(3).isEmpty() ? -1 : Long.parseLong(m.group(3));
            return switch (kind) {
                case "b", "?", "B" -> digits < 0 ? 1 : digits;
                case "i", "u", "f", "c", "S", "a", "V", "M", "m" -> digits;
                case "U" -> digits < 0 ? -1 : digits * 4;
                default -> -1;
            };
        }
        if (descr instanceof List<?> fields) {
            long total = 0;
            for (Object f : fields) {
                if (!(f instanceof List<?> field) || field.size() < 2) return -1;
                long size = itemSize(field.get(1));
                if (size < 0) return -1;
                if (field.size() > 2) {
                    Object sub = field.get(2);
                    long n = sub instanceof Long one ? one : elementCount(sub);
                    if (n < 0) return -1;
                    size *= n;
                }
                total += size;
            }
            return total;
        }
        return -1;
    }
}
