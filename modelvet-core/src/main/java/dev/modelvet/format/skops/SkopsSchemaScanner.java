package dev.modelvet.format.skops;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.modelvet.detect.Head;
import dev.modelvet.policy.Classification;
import dev.modelvet.policy.GlobalRule;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code schema.json} of a skops.io file (a zip whose arrays are .npy members, scanned by content
 * on their own). skops rebuilds objects from a tree of nodes naming {@code __module__} and
 * {@code __class__}: depending on the node's {@code __loader__} it imports the name and calls it
 * with arguments from the file (ConstructorFromReduceNode, ReduceNode, OperatorFuncNode, and the
 * container nodes, which call their type), instantiates it without {@code __init__} (ObjectNode),
 * or only imports it (FunctionNode, TypeNode, MethodNode's bound method). Every name is judged by
 * the same policy as a pickle global; {@code skops.io.load} refuses untrusted types only unless
 * the caller passes {@code trusted=} (often the output of get_untrusted_types, i.e. everything).
 * Parsed as a JSON tree with Jackson's nesting and size limits; nothing is imported.
 */
public final class SkopsSchemaScanner implements FormatScanner {
    private static final Pattern LOADER = Pattern.compile("\"__loader__\"\\s*:\\s*\"[A-Za-z_]*Node\"");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** A JSON tree costs several times its text: 16 MiB of schema stays well inside the 512 MiB heap (real ones are KBs). */
    private static final long MAX_SCHEMA = 16L << 20;
    private static final int MAX_NODES = 2_000_000;

    private static final Set<String> CALLS = Set.of("ConstructorFromReduceNode", "ReduceNode", "LossNode", "TreeNode",
            "QuantileForestNode", "DictNode", "ListNode", "SetNode", "TupleNode", "DefaultDictNode", "OperatorFuncNode");
    private static final Set<String> REFERENCES = Set.of("FunctionNode", "TypeNode", "PartialNode");
    /** Nodes whose type skops does not import or call from the names in the file (it builds them itself). */
    private static final Set<String> DATA = Set.of("JsonNode", "BytesNode", "BytearrayNode", "SliceNode", "NdArrayNode",
            "MaskedArrayNode", "RandomStateNode", "RandomGeneratorNode", "DTypeNode", "SparseMatrixNode",
            "_DictWithDeprecatedKeysNode", "CachedNode");

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // json.dumps writes NaN and Infinity
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(2000)
                .maxStringLength(64 << 20).build());
    }

    @Override
    public String format() {
        return "skops";
    }

    @Override
    public boolean detect(Head head) {
        if (!head.looksLikeText(4096)) return false;
        String text = new String(head.bytes(), StandardCharsets.ISO_8859_1).stripLeading();
        return text.startsWith("{") && text.contains("\"__module__\"") && text.contains("\"__class__\"")
                && LOADER.matcher(text).find();
    }

    /** How a name is used; the worst use of each name is reported once. */
    private enum Use { REFERENCED, INSTANTIATED, CALLED }

    private record Seen(String module, String name, Use use, String loader) {
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        if (artifact.size() > MAX_SCHEMA) {
            ctx.error(artifact, 0, "skops-schema-too-large", "skops schema of " + artifact.size() + " bytes exceeds " + MAX_SCHEMA);
            return;
        }
        JsonNode root;
        try (InputStream in = artifact.source().openStream(0)) {
            root = JSON.readTree(in);
        } catch (JacksonException e) {
            ctx.error(artifact, -1, "skops-schema-json", "skops schema.json is not valid JSON: " + e.getOriginalMessage());
            return;
        }
        if (root == null || !root.isObject()) {
            ctx.error(artifact, -1, "skops-schema-json", "skops schema.json is not a JSON object");
            return;
        }
        ctx.finding(artifact, 0, "skops-format", Severity.INFO,
                "skops.io file (protocol " + root.path("protocol").asText("?") + "): types outside skops' trusted list load only "
                        + "with trusted=; the types it names are listed below when the policy does not allow them", "", "");
        Map<String, Seen> seen = new LinkedHashMap<>();
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(root);
        int nodes = 0;
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (++nodes > MAX_NODES) {
                ctx.error(artifact, -1, "limit-skops-nodes", "more than " + MAX_NODES + " JSON values in the skops schema");
                break;
            }
            if (n.isObject()) {
                if (n.has("__loader__")) node(n, artifact, ctx, seen);
                for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) todo.push(it.next());
            } else if (n.isArray()) {
                for (JsonNode c : n) todo.push(c);
            }
        }
        for (Seen s : seen.values()) report(s, artifact, ctx);
    }

    private void node(JsonNode n, Artifact artifact, ScanContext ctx, Map<String, Seen> seen) {
        String loader = n.path("__loader__").asText("");
        String module = n.path("__module__").asText("");
        String cls = n.path("__class__").asText("");
        if (loader.equals("MethodNode")) {
            // getattr(<obj built by the child node>, func): a bound method of the object's class.
            String func = n.path("content").path("func").asText("");
            if (!IDENTIFIER.matcher(func).matches() || func.startsWith("__")) {
                ctx.finding(artifact, -1, "pickle-dunder-attribute", Severity.CRITICAL,
                        "skops MethodNode takes attribute '" + func + "' of " + module + "." + cls + ": walks Python internals",
                        module + "." + cls + "." + func, "CVE-2025-54413");
                return;
            }
            Classification owner = ctx.policy().classify(module, cls);
            if (!owner.allowed()) note(seen, module, cls + "." + func, Use.REFERENCED, loader);
            return;
        }
        if (loader.equals("OperatorFuncNode")) {
            if (!module.equals("operator")) {
                ctx.finding(artifact, -1, "skops-malformed-node", Severity.MEDIUM,
                        "OperatorFuncNode naming module '" + module + "' (skops refuses it: a crafted file)", module + "." + cls, "");
            }
            note(seen, "operator", cls, Use.CALLED, loader);
            return;
        }
        if (DATA.contains(loader)) {
            // Built by skops itself; the names are only checked against its trusted list.
            if (!module.isEmpty() && !cls.isEmpty() && !ctx.policy().classify(module, cls).allowed()) {
                note(seen, module, cls, Use.REFERENCED, loader);
            }
            return;
        }
        Use use = CALLS.contains(loader) ? Use.CALLED : loader.equals("ObjectNode") ? Use.INSTANTIATED
                : REFERENCES.contains(loader) ? Use.REFERENCED : null;
        if (use == null) {
            ctx.finding(artifact, -1, "skops-unknown-loader", Severity.LOW,
                    "unknown skops loader '" + loader + "' (skops refuses the file)", loader, "");
            return;
        }
        if (loader.equals("PartialNode")) return; // functools.partial of a child node, which is judged itself
        if (module.isEmpty() || cls.isEmpty()) {
            ctx.finding(artifact, -1, "skops-malformed-node", Severity.MEDIUM, loader + " without __module__ or __class__", loader, "");
            return;
        }
        note(seen, module, cls, use, loader);
    }

    private static void note(Map<String, Seen> seen, String module, String name, Use use, String loader) {
        seen.merge(module + "\n" + name, new Seen(module, name, use, loader),
                (a, b) -> b.use().compareTo(a.use()) > 0 ? b : a);
    }

    private static void report(Seen s, Artifact artifact, ScanContext ctx) {
        Classification c = ctx.policy().classify(s.module(), s.name());
        String full = s.module() + "." + s.name();
        String how = switch (s.use()) {
            case CALLED -> "called";
            case INSTANTIATED -> "instantiated";
            case REFERENCED -> "imported";
        };
        String evidence = s.loader() + " " + full;
        switch (c.kind()) {
            case ALLOWED -> { }
            case DENIED -> {
                GlobalRule rule = c.rule();
                String via = c.matchedAs().equals(full) ? "" : " (resolves to " + c.matchedAs() + ")";
                ctx.finding(artifact, -1, rule.id(), rule.severity(), full + " " + how + " by skops" + via + ": " + rule.message(),
                        evidence, rule.reference());
            }
            default -> {
                if (s.use() == Use.CALLED) {
                    ctx.finding(artifact, -1, "skops-unknown-callable", Severity.HIGH,
                            full + " called by skops with arguments from the file: not on the allow-list", evidence, "");
                } else {
                    ctx.finding(artifact, -1, "skops-unknown-type", Severity.MEDIUM,
                            full + " " + how + " by skops: not on the allow-list", evidence, "");
                }
            }
        }
    }
}
