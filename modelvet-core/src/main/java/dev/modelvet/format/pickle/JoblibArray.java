package dev.modelvet.format.pickle;

import java.util.List;

/**
 * Size of the raw data joblib writes after a {@code NumpyArrayWrapper}, from the wrapper's state:
 * {@code shape}, {@code dtype} (a {@code numpy.dtype(...)} call with its BUILD state) and
 * {@code numpy_array_alignment_bytes}.
 *
 * @param byteCount      raw bytes that follow (after padding)
 * @param objectDtype    the array holds Python objects: a nested pickle follows instead
 * @param alignmentBytes joblib 1.2+ alignment (a padding-length byte precedes the data), or 0
 * @param error          why the size cannot be known, or null
 */
record JoblibArray(long byteCount, boolean objectDtype, int alignmentBytes, String error) {

    private static JoblibArray fail(String why) {
        return new JoblibArray(0, false, 0, why);
    }

    static JoblibArray of(Value.Container state) {
        Value shape = state.get("shape");
        Value dtype = state.get("dtype");
        Value align = state.get("numpy_array_alignment_bytes");
        int alignment = 0;
        if (align instanceof Value.Int i) {
            if (i.value() < 0 || i.value() > 4096) return fail("implausible numpy_array_alignment_bytes " + i.value());
            alignment = (int) i.value();
        }
        if (!(dtype instanceof Value.Call d) || !(d.args instanceof Value.Tuple dargs) || dargs.items().isEmpty()
                || !(dargs.items().get(0) instanceof Value.Str code)) {
            return fail("NumpyArrayWrapper without a readable dtype");
        }
        String c = code.value();
        if (c.startsWith("O")) return new JoblibArray(0, true, alignment, null);
        long itemSize = itemSize(c, d.state);
        if (itemSize < 0) return fail("unsupported dtype '" + c + "' in NumpyArrayWrapper");
        if (!(shape instanceof Value.Tuple t)) return fail("NumpyArrayWrapper without a readable shape");
        long count = 1;
        for (Value v : t.items()) {
            if (!(v instanceof Value.Int n) || n.value() < 0) return fail("NumpyArrayWrapper shape is not a tuple of sizes");
            try {
                count = Math.multiplyExact(count, n.value());
            } catch (ArithmeticException e) {
                return fail("NumpyArrayWrapper shape overflows");
            }
        }
        try {
            return new JoblibArray(Math.multiplyExact(count, itemSize), false, alignment, null);
        } catch (ArithmeticException e) {
            return fail("NumpyArrayWrapper size overflows");
        }
    }

    /** Bytes per element from a dtype code such as {@code f8}, {@code U40}, {@code b1}, or the dtype's state elsize. */
    private static long itemSize(String code, Value dtypeState) {
        if (dtypeState instanceof Value.Tuple st) {
            List<Value> s = st.items();
            if (s.size() >= 6 && s.get(5) instanceof Value.Int elsize && elsize.value() > 0) return elsize.value();
        }
        String digits = code.replaceAll("^[<>=|]?[a-zA-Z?]+", "");
        int bracket = digits.indexOf('[');
        if (bracket >= 0) digits = digits.substring(0, bracket);
        if (digits.isEmpty()) return code.equals("?") || code.equals("b") || code.equals("B") ? 1 : -1;
        try {
            long n = Long.parseLong(digits);
            return n >= 0 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
