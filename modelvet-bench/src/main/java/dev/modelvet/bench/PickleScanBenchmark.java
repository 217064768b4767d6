package dev.modelvet.bench;

import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.Scanner;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process throughput of the pickle engine on a protocol-4 dict of N str->float entries, the
 * shape of a large state dict's metadata (what CPython's pickle.dumps writes: FRAMEs, memoized
 * SHORT_BINUNICODE keys, BINFLOAT values, SETITEMS batches of 1000).
 *
 * <p>Run: {@code java -jar modelvet-bench/target/modelvet-benchmarks.jar PickleScanBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx512m"})
public class PickleScanBenchmark {

    @Param({"1000000"})
    public int entries;

    private byte[] pickle;
    private Scanner scanner;

    @Setup
    public void setup() {
        pickle = dictPickle(entries);
        scanner = Scanner.builder().build();
    }

    @Benchmark
    public ArtifactResult scanDict() {
        return scanner.scan("dict.pkl", ByteSource.of(pickle));
    }

    /** A protocol-4 pickle of {"param_0000000": 0.0, ...} laid out as CPython writes it. */
    static byte[] dictPickle(int n) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write('}');
        body.write(0x94);
        int memo = 1;
        for (int start = 0; start < n; start += 1000) {
            body.write('(');
            for (int i = start; i < Math.min(n, start + 1000); i++) {
                byte[] k = String.format("param_%07d", i).getBytes(StandardCharsets.US_ASCII);
                body.write(0x8c);
                body.write(k.length);
                body.writeBytes(k);
                body.write(0x94);
                memo++;
                body.write('G');
                long bits = Double.doubleToLongBits(i * 0.5);
                for (int b = 7; b >= 0; b--) body.write((int) (bits >>> (8 * b)) & 0xFF);
            }
            body.write('u');
        }
        body.write('.');
        byte[] b = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 11);
        out.write(0x80);
        out.write(4);
        out.write(0x95);
        long len = b.length;
        for (int i = 0; i < 8; i++) out.write((int) (len >>> (8 * i)) & 0xFF);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
