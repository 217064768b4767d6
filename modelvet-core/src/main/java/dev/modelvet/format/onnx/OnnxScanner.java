package dev.modelvet.format.onnx;

import dev.modelvet.detect.Head;
import dev.modelvet.format.protobuf.WireReader;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * ONNX models, read from the protobuf wire format with the field numbers of onnx.proto: external
 * data locations that are absolute or climb out of the model folder (CVE-2022-25882, CVE-2024-27318),
 * operators from custom domains (which need a custom-op library registered by the application), and
 * the same checks in every nested graph (If/Loop/Scan attributes, functions, training info).
 */
public final class OnnxScanner implements FormatScanner {
    private static final Set<String> STANDARD_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml", "ai.onnx.training",
            "ai.onnx.preview.training");
    private static final int MAX_DEPTH = 64;

    @Override
    public String format() {
        return "onnx";
    }

    /** ModelProto starts with ir_version (field 1, varint); the fields that follow must be ModelProto's. */
    @Override
    public boolean detect(Head head) {
        if (head.at(0) != 0x08) return false;
        ByteSource b = ByteSource.of(head.bytes());
        WireReader r = new WireReader(b, 0, head.length());
        int fields = 0;
        boolean graph = false;
        try {
            while (r.hasNext()) {
                int f = r.next();
                int wt = r.wireType();
                switch (f) {
                    case 1, 5 -> {
                        if (wt != WireReader.VARINT) return false;
                        if (f == 1 && (r.varint() < 1 || r.varint() > 30)) return false;
                    }
                    case 2, 3, 4, 6 -> {
                        if (wt != WireReader.LEN || !printable(r.string(256))) return false;
                    }
                    case 7, 8, 14, 20, 25 -> {
                        if (wt != WireReader.LEN) return false;
                        graph |= f == 7 || f == 8;
                    }
                    default -> {
                        return false;
                    }
                }
                fields++;
            }
        } catch (IOException e) {
            // the head ended inside a field, or the file is cut short: judge on what was read
            int f = r.field();
            if (f == 7 || f == 8 || f == 14 || f == 20 || f == 25) graph = true;
        }
        return fields >= 2 && (graph || head.size() > head.length());
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return false;
        }
        return true;
    }

    private static final class State {
        final Set<String> customDomains = new LinkedHashSet<>();
        int nodes;
        int external;
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        State st = new State();
        try {
            WireReader r = new WireReader(artifact.source(), 0, artifact.size());
            while (r.hasNext()) {
                switch (r.next()) {
                    case 7 -> graph(artifact, r.message(), ctx, st, 0);
                    case 8 -> {
                        WireReader o = r.message();
                        while (o.hasNext()) if (o.next() == 1) domain(artifact, o.string(256), "opset_import", o.valueOffset(), ctx, st);
                    }
                    case 20 -> {
                        WireReader t = r.message();
                        while (t.hasNext()) if (t.next() == 1 || t.field() == 2) graph(artifact, t.message(), ctx, st, 1);
                    }
                    case 25 -> function(artifact, r.message(), ctx, st, 1);
                    default -> { }
                }
            }
        } catch (WireReader.WireException e) {
            ctx.error(artifact, -1, "onnx-malformed", "ONNX protobuf: " + e.getMessage());
            return;
        }
        ctx.finding(artifact, 0, "onnx-format", Severity.INFO, "ONNX model: " + st.nodes + " nodes, " + st.external
                + " tensors with external data" + (st.customDomains.isEmpty() ? "" : ", custom domains " + st.customDomains), "", "");
    }

    private void graph(Artifact a, WireReader g, ScanContext ctx, State st, int depth) throws IOException {
        if (depth > MAX_DEPTH) throw new WireReader.WireException("graphs nested deeper than " + MAX_DEPTH);
        while (g.hasNext()) {
            switch (g.next()) {
                case 1 -> node(a, g.message(), ctx, st, depth);
                case 5 -> tensor(a, g.message(), ctx, st);
                case 15 -> {
                    WireReader s = g.message();
                    while (s.hasNext()) if (s.next() == 1 || s.field() == 2) tensor(a, s.message(), ctx, st);
                }
                default -> { }
            }
        }
    }

    private void function(Artifact a, WireReader f, ScanContext ctx, State st, int depth) throws IOException {
        while (f.hasNext()) {
            switch (f.next()) {
                case 7 -> node(a, f.message(), ctx, st, depth);
                case 10 -> domain(a, f.string(256), "function", f.valueOffset(), ctx, st);
                default -> { }
            }
        }
    }

    private void node(Artifact a, WireReader n, ScanContext ctx, State st, int depth) throws IOException {
        st.nodes++;
        String op = "";
        String domain = "";
        long at = -1;
        while (n.hasNext()) {
            switch (n.next()) {
                case 4 -> {
                    op = n.string(256);
                    at = n.valueOffset();
                }
                case 7 -> domain = n.string(256);
                case 5 -> attribute(a, n.message(), ctx, st, depth);
                default -> { }
            }
        }
        if (!STANDARD_DOMAINS.contains(domain)) {
            String lower = op.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("py") || lower.contains("python") || lower.contains("script") || lower.contains("exec")) {
                ctx.finding(a, at, "onnx-python-op", Severity.HIGH,
                        "operator " + domain + "::" + op + " runs Python or script code through a custom-op library", domain + "::" + op, "");
            }
            domain(a, domain, "node " + op, at, ctx, st);
        }
    }

    private void attribute(Artifact a, WireReader attr, ScanContext ctx, State st, int depth) throws IOException {
        while (attr.hasNext()) {
            switch (attr.next()) {
                case 6, 11 -> graph(a, attr.message(), ctx, st, depth + 1);
                case 5, 10 -> tensor(a, attr.message(), ctx, st);
                case 22, 23 -> {
                    WireReader s = attr.message();
                    while (s.hasNext()) if (s.next() == 1 || s.field() == 2) tensor(a, s.message(), ctx, st);
                }
                default -> { }
            }
        }
    }

    private void tensor(Artifact a, WireReader t, ScanContext ctx, State st) throws IOException {
        String name = "";
        boolean externalLocation = false;
        while (t.hasNext()) {
            switch (t.next()) {
                case 8 -> name = t.string(256);
                case 14 -> externalLocation |= t.varint() == 1;
                case 13 -> {
                    WireReader e = t.message();
                    String key = null;
                    String value = null;
                    long at = -1;
                    while (e.hasNext()) {
                        if (e.next() == 1) key = e.string(64);
                        else if (e.field() == 2) {
                            value = e.string(4096);
                            at = e.valueOffset();
                        }
                    }
                    if ("location".equals(key) && value != null) {
                        st.external++;
                        location(a, name, value, at, ctx);
                    } else if (("offset".equals(key) || "length".equals(key)) && value != null && !value.matches("\\d{1,19}")) {
                        ctx.finding(a, at, "onnx-external-data-range", Severity.MEDIUM,
                                "tensor '" + name + "' external data " + key + " is not a non-negative integer", key + "=" + value,
                                "GHSA-538c-55jv-c5g9");
                    }
                }
                default -> { }
            }
        }
    }

    private static void location(Artifact a, String tensor, String loc, long at, ScanContext ctx) {
        String n = loc.replace('\\', '/');
        boolean absolute = n.startsWith("/") || n.matches("^[A-Za-z]:.*") || n.startsWith("//") || n.contains("://");
        boolean climbs = false;
        for (String part : n.split("/")) if (part.equals("..")) climbs = true;
        if (absolute || climbs) {
            ctx.finding(a, at, "onnx-external-data-path", Severity.HIGH,
                    "tensor '" + tensor + "' loads external data from " + (absolute ? "an absolute path" : "outside the model folder")
                            + " (arbitrary file read)", loc, climbs ? "CVE-2024-27318" : "CVE-2022-25882");
        }
    }

    private static void domain(Artifact a, String domain, String where, long at, ScanContext ctx, State st) {
        if (STANDARD_DOMAINS.contains(domain) || !st.customDomains.add(domain)) return;
        boolean microsoft = domain.equals("com.microsoft") || domain.startsWith("com.microsoft.");
        ctx.finding(a, at, "onnx-custom-domain", microsoft ? Severity.INFO : Severity.MEDIUM,
                "operator domain '" + domain + "' (" + where + ") needs a custom-op library registered by the application", domain, "");
    }
}
