package dev.modelvet.guard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What the guard rejects: a deny-list of gadget classes and packages (bundled, extendable), an
 * optional allow-list mode (only listed classes, JDK value types and arrays of primitives pass), and
 * limits on depth, references, array length and stream bytes.
 *
 * <p>Configuration (YAML; plain data, read with SnakeYAML Engine's safe loader):
 * <pre>
 * mode: deny            # or allow
 * deny: [com.example.legacy.]   # added to the bundled list
 * allow: [com.example.dto.]     # used in allow mode
 * maxDepth: 64
 * maxReferences: 100000
 * maxArrayLength: 1000000
 * maxBytes: 100000000
 * </pre>
 *
 * @param allowMode      only allow-listed classes pass
 * @param deny           class names or package prefixes (ending with '.') that are rejected
 * @param allow          class names or prefixes accepted in allow mode
 * @param maxDepth       object graph depth
 * @param maxReferences  references in one stream
 * @param maxArrayLength one array's length
 * @param maxBytes       bytes read from one stream
 */
public record GuardPolicy(boolean allowMode, List<String> deny, List<String> allow, long maxDepth, long maxReferences,
                          long maxArrayLength, long maxBytes) {

    public GuardPolicy {
        deny = List.copyOf(deny);
        allow = List.copyOf(allow);
    }

    /** Classes every allow-list accepts: JDK value types and collections that hold data. */
    static final List<String> ALWAYS_ALLOWED = List.of("java.lang.String", "java.lang.Boolean", "java.lang.Byte",
            "java.lang.Character", "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
            "java.lang.Number", "java.lang.Enum", "java.lang.Record", "java.math.BigInteger", "java.math.BigDecimal",
            "java.util.ArrayList", "java.util.LinkedList", "java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap",
            "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet", "java.util.Date", "java.util.UUID",
            "java.util.ImmutableCollections$", "java.util.CollSer", "java.util.Collections$", "java.util.Arrays$ArrayList",
            "java.time.", "java.util.Locale", "java.net.URI", "java.util.Map$Entry", "java.lang.Object");

    public static GuardPolicy defaults() {
        return new GuardPolicy(false, bundledDeny(), List.of(), 256, 1_000_000, 10_000_000, 1L << 30);
    }

    static List<String> bundledDeny() {
        List<String> out = new ArrayList<>();
        try (InputStream in = GuardPolicy.class.getResourceAsStream("default-deny.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) out.add(l);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Reads a configuration file; unknown keys are an error naming them. */
    @SuppressWarnings("unchecked")
    public static GuardPolicy load(Path file) throws IOException {
        Object root = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
        if (root == null) return defaults();
        if (!(root instanceof Map<?, ?> m)) throw new IOException(file + ": the configuration must be a mapping");
        GuardPolicy d = defaults();
        List<String> deny = new ArrayList<>(d.deny());
        List<String> allow = new ArrayList<>();
        boolean allowMode = false;
        long depth = d.maxDepth(), refs = d.maxReferences(), array = d.maxArrayLength(), bytes = d.maxBytes();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "mode" -> {
                    if (!"allow".equals(v) && !"deny".equals(v)) throw new IOException(file + ": mode must be allow or deny");
                    allowMode = "allow".equals(v);
                }
                case "deny" -> deny.addAll(strings(file, e.getKey(), v));
                case "allow" -> allow.addAll(strings(file, e.getKey(), v));
                case "maxDepth" -> depth = number(file, e.getKey(), v);
                case "maxReferences" -> refs = number(file, e.getKey(), v);
                case "maxArrayLength" -> array = number(file, e.getKey(), v);
                case "maxBytes" -> bytes = number(file, e.getKey(), v);
                default -> throw new IOException(file + ": unknown key '" + e.getKey() + "'");
            }
        }
        return new GuardPolicy(allowMode, deny, allow, depth, refs, array, bytes);
    }

    private static List<String> strings(Path f, String key, Object v) throws IOException {
        if (!(v instanceof List<?> l)) throw new IOException(f + ": " + key + " must be a list");
        List<String> out = new ArrayList<>();
        for (Object o : l) out.add(String.valueOf(o));
        return out;
    }

    private static long number(Path f, String key, Object v) throws IOException {
        if (!(v instanceof Number n) || n.longValue() < 0) throw new IOException(f + ": " + key + " must be a non-negative number");
        return n.longValue();
    }

    static boolean matches(List<String> patterns, String name) {
        for (String p : patterns) {
            if (p.endsWith(".") || p.endsWith("$") ? name.startsWith(p) : name.equals(p) || name.startsWith(p + "$")) return true;
        }
        return false;
    }
}
