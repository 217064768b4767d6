package dev.modelvet.format.javaser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Severity;
import dev.modelvet.scan.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.commons.collections.Transformer;
import org.apache.commons.collections.functors.ChainedTransformer;
import org.apache.commons.collections.functors.ConstantTransformer;
import org.apache.commons.collections.functors.InvokerTransformer;
import org.apache.commons.collections.keyvalue.TiedMapEntry;
import org.apache.commons.collections.map.LazyMap;
import org.junit.jupiter.api.Test;

/** Streams written by the real ObjectOutputStream; the scanner must list their classes without reading objects. */
class JavaSerializationScannerTest {
    private static final Scanner SCANNER = Scanner.builder().build();

    record Dto(String name, int size, List<String> tags) implements Serializable { }

    enum Color { RED }

    static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream s = new ObjectOutputStream(out)) {
            s.writeObject(o);
        }
        return out.toByteArray();
    }

    private static ArtifactResult scan(byte[] b) {
        return SCANNER.scan("stream.ser", ByteSource.of(b));
    }

    @Test
    void benignJdkGraphIsClean() throws IOException {
        Map<String, Object> m = new HashMap<>();
        m.put("list", new ArrayList<>(List.of(1, 2L, 3.0, "x")));
        m.put("bytes", new byte[] {1, 2, 3});
        m.put("ints", new int[] {4, 5});
        m.put("nested", new HashMap<>(Map.of("k", new java.util.Date(0))));
        ArtifactResult r = scan(serialize(m));
        assertThat(r.format()).isEqualTo("java-serialization");
        assertThat(r.errors()).isEmpty();
        assertThat(r.verdict()).isEqualTo(Verdict.CLEAN);
    }

    @Test
    void applicationClassesAreSuspicious() throws IOException {
        ArtifactResult r = scan(serialize(new Dto("a", 1, List.of("t"))));
        assertThat(r.errors()).isEmpty();
        assertThat(r.maxSeverity()).isEqualTo(Severity.MEDIUM);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.evidence()).endsWith("JavaSerializationScannerTest$Dto"));
        assertThat(scan(serialize(Color.RED)).maxSeverity()).isEqualTo(Severity.MEDIUM);
    }

    /** The CommonsCollections6 shape (HashSet -> TiedMapEntry -> LazyMap -> ChainedTransformer), with harmless transformers. */
    @Test
    void commonsCollectionsChainIsCritical() throws IOException {
        Transformer chain = new ChainedTransformer(new Transformer[] {
                new ConstantTransformer("harmless"), new InvokerTransformer("toString", new Class[0], new Object[0])});
        Map<Object, Object> lazy = LazyMap.decorate(new HashMap<>(), chain);
        HashSet<Object> set = new HashSet<>();
        set.add(new TiedMapEntry(lazy, "key"));
        ArtifactResult r = scan(serialize(set));
        assertThat(r.errors()).isEmpty();
        assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
        assertThat(r.findings()).anySatisfy(f -> {
            assertThat(f.ruleId()).isEqualTo("javaser-gadget-commons-collections");
            assertThat(f.evidence()).isEqualTo("org.apache.commons.collections.functors.InvokerTransformer");
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        });
    }

    @Test
    void urlInsideHashMapIsTheUrldnsProbe() throws IOException {
        Map<Object, Object> m = new HashMap<>();
        m.put(new URL("http://127.0.0.1/"), "v");
        ArtifactResult r = scan(serialize(m));
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.ruleId()).isEqualTo("javaser-urldns"));
    }

    @Test
    void base64StreamsAreDecoded() throws IOException {
        byte[] text = Base64.getEncoder().encode(serialize(new Dto("a", 1, List.of())));
        assertThat(new String(text, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("rO0AB");
        ArtifactResult r = scan(text);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.path()).isEqualTo("stream.ser!base64"));
    }

    @Test
    void truncatedStreamReportsClassesAndAnError() throws IOException {
        Transformer t = new InvokerTransformer("toString", new Class[0], new Object[0]);
        byte[] all = serialize(t);
        byte[] cut = java.util.Arrays.copyOf(all, all.length - 20);
        ArtifactResult r = scan(cut);
        assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
        assertThat(r.errors()).singleElement().satisfies(e -> assertThat(e.code()).isEqualTo("javaser-malformed"));
    }
}
