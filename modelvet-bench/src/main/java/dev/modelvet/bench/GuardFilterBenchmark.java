package dev.modelvet.bench;

import dev.modelvet.guard.GuardFilter;
import dev.modelvet.guard.GuardMetrics;
import dev.modelvet.guard.GuardPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of the guard on {@code readObject} of a benign graph of 1,000 objects: no filter, the guard
 * in deny mode, and in allow mode. The difference is the guard's overhead per stream.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GuardFilterBenchmark {

    public record Item(String name, int count, double price) implements Serializable { }

    private byte[] graph;
    private ObjectInputFilter deny;
    private ObjectInputFilter allow;

    @Setup
    public void setup() throws IOException {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 1000; i++) items.add(new Item("item-" + i, i, i * 1.5));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream s = new ObjectOutputStream(out)) {
            s.writeObject(items);
        }
        graph = out.toByteArray();
        deny = new GuardFilter(GuardPolicy.defaults(), new GuardMetrics());
        GuardPolicy d = GuardPolicy.defaults();
        allow = new GuardFilter(new GuardPolicy(true, d.deny(), List.of("dev.modelvet.bench."), d.maxDepth(), d.maxReferences(),
                d.maxArrayLength(), d.maxBytes()), new GuardMetrics());
    }

    private Object read(ObjectInputFilter f) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(graph))) {
            if (f != null) in.setObjectInputFilter(f);
            return in.readObject();
        }
    }

    @Benchmark
    public Object noFilter() throws Exception {
        return read(null);
    }

    @Benchmark
    public Object guardDenyMode() throws Exception {
        return read(deny);
    }

    @Benchmark
    public Object guardAllowMode() throws Exception {
        return read(allow);
    }
}
