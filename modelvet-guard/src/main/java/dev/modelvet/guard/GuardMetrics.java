package dev.modelvet.guard;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of what the guard decided, readable by a metrics exporter. Thread-safe. */
public final class GuardMetrics {
    private final LongAdder checked = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final Map<String, AtomicLong> rejectedByClass = new ConcurrentHashMap<>();

    void checked() {
        checked.increment();
    }

    void rejected(String what) {
        rejected.increment();
        if (rejectedByClass.size() < 10_000 || rejectedByClass.containsKey(what)) {
            rejectedByClass.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        }
    }

    public long checkedCount() {
        return checked.sum();
    }

    public long rejectedCount() {
        return rejected.sum();
    }

    public Map<String, Long> rejectedByClass() {
        Map<String, Long> out = new TreeMap<>();
        rejectedByClass.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
