package dev.modelvet.format.pickle;

import java.util.HashMap;
import java.util.Map;

/** The pickle memo: dense array for the usual small indices, a map for sparse ones; bounded. */
final class Memo {
    private static final int DENSE_LIMIT = 1 << 24;

    private Value[] dense = new Value[256];
    private Map<Long, Value> sparse;
    private int size;
    private final int maxEntries;

    Memo(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    int size() {
        return size;
    }

    Value get(long index) {
        if (index >= 0 && index < dense.length) return dense[(int) index];
        return sparse == null ? null : sparse.get(index);
    }

    /** Stores; returns false when the entry limit is reached. */
    boolean put(long index, Value v) {
        boolean isNew = get(index) == null;
        if (isNew && size >= maxEntries) return false;
        if (index >= 0 && index < DENSE_LIMIT) {
            if (index >= dense.length) {
                int n = dense.length;
                while (n <= index) n *= 2;
                dense = java.util.Arrays.copyOf(dense, Math.min(n, DENSE_LIMIT));
            }
            dense[(int) index] = v;
        } else {
            if (sparse == null) sparse = new HashMap<>();
            sparse.put(index, v);
        }
        if (isNew) size++;
        return true;
    }
}
