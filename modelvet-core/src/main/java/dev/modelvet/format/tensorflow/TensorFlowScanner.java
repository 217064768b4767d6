package dev.modelvet.format.tensorflow;

import dev.modelvet.detect.Head;
import dev.modelvet.format.protobuf.WireReader;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * TensorFlow graphs: {@code saved_model.pb} (SavedModel), bare GraphDef {@code .pb} files, and
 * tf.keras {@code keras_metadata.pb}. Every op of the graph and of the function library is listed
 * from the wire format; ops that touch files, processes or Python are findings. The checkpoint ops
 * every SavedModel has (SaveV2, RestoreV2, MergeV2Checkpoints, ShardedFilename, StringJoin) are not.
 */
public final class TensorFlowScanner implements FormatScanner {
    private static final Map<String, Severity> OPS = Map.ofEntries(
            Map.entry("PyFunc", Severity.HIGH), Map.entry("PyFuncStateless", Severity.HIGH), Map.entry("EagerPyFunc", Severity.HIGH),
            Map.entry("WriteFile", Severity.HIGH), Map.entry("DatasetToTFRecord", Severity.HIGH),
            Map.entry("ReadFile", Severity.MEDIUM), Map.entry("MatchingFiles", Severity.MEDIUM),
            Map.entry("WholeFileReader", Severity.MEDIUM), Map.entry("WholeFileReaderV2", Severity.MEDIUM),
            Map.entry("InitializeTableFromTextFile", Severity.MEDIUM), Map.entry("InitializeTableFromTextFileV2", Severity.MEDIUM),
            Map.entry("TextLineDataset", Severity.MEDIUM), Map.entry("TFRecordDataset", Severity.MEDIUM),
            Map.entry("FixedLengthRecordDataset", Severity.MEDIUM), Map.entry("Save", Severity.MEDIUM),
            Map.entry("SaveSlices", Severity.MEDIUM), Map.entry("Restore", Severity.MEDIUM), Map.entry("RestoreSlice", Severity.MEDIUM),
            Map.entry("CreateSummaryFileWriter", Severity.MEDIUM), Map.entry("DebugIdentityV2", Severity.MEDIUM),
            Map.entry("ImmutableConst", Severity.MEDIUM), Map.entry("LoadAndRemapMatrix", Severity.MEDIUM));
    private static final Set<String> CHECKPOINT_OPS = Set.of("SaveV2", "RestoreV2", "MergeV2Checkpoints", "ShardedFilename", "StringJoin");
    private static final int MAX_DEPTH = 32;

    @Override
    public String format() {
        return "tensorflow";
    }

    @Override
    public boolean detect(Head head) {
        return kind(head) != null;
    }

    /** "savedmodel", "graphdef", "keras-metadata" or null, from the first fields. */
    static String kind(Head head) {
        ByteSource b = ByteSource.of(head.bytes());
        boolean schemaVersion = false;
        WireReader r = new WireReader(b, 0, head.length());
        try {
            int f = r.next();
            if (f == 1 && r.wireType() == WireReader.VARINT && r.varint() == 1 && r.hasNext()) {
                schemaVersion = true;
                int f2 = r.next();
                if (f2 == 2 && r.wireType() == WireReader.LEN) {
                    WireReader m = r.message();
                    int inner = m.next();
                    return (inner == 1 || inner == 2) && m.wireType() == WireReader.LEN ? "savedmodel" : null;
                }
                return null;
            }
            if (f == 2 && r.wireType() == WireReader.LEN) {
                // meta_graphs without the schema version (proto3 leaves a 0 out): graph_def -> node -> name, op.
                WireReader meta = r.message();
                while (meta.hasNext()) {
                    int mf = meta.next();
                    if (mf == 2 && meta.wireType() == WireReader.LEN) {
                        WireReader g = meta.message();
                        if (g.next() != 1 || g.wireType() != WireReader.LEN) return null;
                        WireReader node = g.message();
                        if (node.next() == 1 && node.wireType() == WireReader.LEN && identifier(node.string(256))
                                && node.next() == 2 && node.wireType() == WireReader.LEN && identifier(node.string(256))) {
                            return "savedmodel";
                        }
                        return null;
                    }
                    if (mf != 1 || meta.wireType() != WireReader.LEN) return null; // meta_info_def, skipped by next()
                }
                return null;
            }
            if (f == 1 && r.wireType() == WireReader.LEN) {
                WireReader m = r.message();
                int a = m.next();
                if (a == 1 && m.wireType() == WireReader.LEN && identifier(m.string(256))) {
                    int c = m.next();
                    if (c == 2 && m.wireType() == WireReader.LEN && identifier(m.string(256))) return "graphdef";
                } else if (a == 2 && m.wireType() == WireReader.VARINT) {
                    return "keras-metadata";
                }
            }
        } catch (IOException e) {
            // a SavedModel cut short: schema version 1, then meta_graphs running past the end
            return schemaVersion && r.field() == 2 && head.size() == head.length() ? "savedmodel" : null;
        }
        return null;
    }

    private static boolean identifier(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c > 0x20 && c < 0x7F);
    }

    private static final class State {
        final Map<String, Integer> ops = new TreeMap<>();
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        String kind = kind(head);
        State st = new State();
        try {
            WireReader r = new WireReader(artifact.source(), 0, artifact.size());
            switch (kind == null ? "" : kind) {
                case "savedmodel" -> {
                    while (r.hasNext()) {
                        if (r.next() == 2) {
                            WireReader meta = r.message();
                            while (meta.hasNext()) if (meta.next() == 2) graphDef(artifact, meta.message(), ctx, st, "graph", 0);
                        }
                    }
                }
                case "graphdef" -> graphDef(artifact, r, ctx, st, "graph", 0);
                case "keras-metadata" -> kerasMetadata(artifact, r, ctx);
                default -> {
                    return;
                }
            }
        } catch (WireReader.WireException e) {
            ctx.error(artifact, -1, "tensorflow-malformed", "TensorFlow protobuf: " + e.getMessage());
            return;
        }
        ctx.finding(artifact, 0, "tensorflow-format", Severity.INFO, "TensorFlow " + kind + ": " + st.ops.size() + " distinct ops", "", "");
    }

    private void graphDef(Artifact a, WireReader g, ScanContext ctx, State st, String where, int depth) throws IOException {
        if (depth > MAX_DEPTH) throw new WireReader.WireException("graphs nested too deeply");
        while (g.hasNext()) {
            switch (g.next()) {
                case 1 -> node(a, g.message(), ctx, st, where);
                case 2 -> {
                    WireReader lib = g.message();
                    while (lib.hasNext()) {
                        if (lib.next() == 1) function(a, lib.message(), ctx, st);
                    }
                }
                default -> { }
            }
        }
    }

    private void function(Artifact a, WireReader f, ScanContext ctx, State st) throws IOException {
        String name = "function";
        while (f.hasNext()) {
            switch (f.next()) {
                case 1 -> {
                    WireReader sig = f.message();
                    while (sig.hasNext()) if (sig.next() == 1) name = sig.string(512);
                }
                case 3 -> node(a, f.message(), ctx, st, "function " + name);
                default -> { }
            }
        }
    }

    private void node(Artifact a, WireReader n, ScanContext ctx, State st, String where) throws IOException {
        String name = "";
        String op = "";
        long at = -1;
        String outputStream = null;
        while (n.hasNext()) {
            switch (n.next()) {
                case 1 -> name = n.string(512);
                case 2 -> {
                    op = n.string(256);
                    at = n.valueOffset();
                }
                case 5 -> {
                    WireReader entry = n.message();
                    String key = null;
                    while (entry.hasNext()) {
                        if (entry.next() == 1) {
                            key = entry.string(256);
                        } else if (entry.field() == 2 && "output_stream".equals(key)) {
                            WireReader v = entry.message();
                            while (v.hasNext()) if (v.next() == 2) outputStream = v.string(1024);
                        }
                    }
                }
                default -> { }
            }
        }
        st.ops.merge(op, 1, Integer::sum);
        if (CHECKPOINT_OPS.contains(op)) return;
        if (op.equals("PrintV2") && outputStream != null && outputStream.startsWith("file://")) {
            ctx.finding(a, at, "tensorflow-file-op", Severity.HIGH, where + ": PrintV2 appends to a file on the loading machine",
                    name + " output_stream=" + outputStream, "");
            return;
        }
        Severity s = OPS.get(op);
        if (s != null) {
            ctx.finding(a, at, op.contains("PyFunc") ? "tensorflow-python-op" : "tensorflow-file-op", s,
                    where + ": op " + op + (op.contains("PyFunc") ? " calls a Python function of the loading process" : " touches the file system"),
                    name + " (" + op + ")", "");
        }
    }

    private static void kerasMetadata(Artifact a, WireReader r, ScanContext ctx) throws IOException {
        while (r.hasNext()) {
            if (r.next() != 1) continue;
            WireReader obj = r.message();
            while (obj.hasNext()) {
                if (obj.next() == 5) {
                    String json = obj.string(1 << 20);
                    if (json.matches("(?s).*\"class_name\"\\s*:\\s*\"Lambda\".*")) {
                        ctx.finding(a, obj.valueOffset(), "keras-lambda", Severity.HIGH,
                                "keras_metadata.pb: Lambda layer (Python code run when the model is rebuilt)", "Lambda", "CVE-2024-3660");
                    }
                }
            }
        }
    }
}
