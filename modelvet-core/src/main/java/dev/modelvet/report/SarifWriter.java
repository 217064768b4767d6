package dev.modelvet.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Finding;
import dev.modelvet.scan.Report;
import dev.modelvet.scan.ScanError;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SARIF 2.1.0: one run, a rule per rule id seen, a result per finding. A finding inside a container
 * is located at the top-level file, with the container path in a logical location and the
 * message. Scan errors become tool execution notifications.
 */
public final class SarifWriter implements ReportWriter {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final RuleCatalog catalog;

    public SarifWriter(RuleCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void write(Report report, Writer out) throws IOException {
        Map<String, Finding> rules = new LinkedHashMap<>();
        for (ArtifactResult r : report.results()) {
            for (Finding f : r.findings()) {
                if (!reported(f)) continue;
                rules.merge(f.ruleId(), f, (a, b) -> b.severity().compareTo(a.severity()) > 0 ? b : a);
            }
        }
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.setCharacterEscapes(TerminalText.jsonEscapes());
            g.writeStartObject();
            g.writeStringField("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
            g.writeStringField("version", "2.1.0");
            g.writeArrayFieldStart("runs");
            g.writeStartObject();
            g.writeObjectFieldStart("tool");
            g.writeObjectFieldStart("driver");
            g.writeStringField("name", "modelvet");
            g.writeStringField("version", report.toolVersion());
            g.writeStringField("informationUri", "https://github.com/modelvet/modelvet");
            g.writeStringField("semanticVersion", report.toolVersion());
            g.writeArrayFieldStart("rules");
            for (Finding f : rules.values()) {
                RuleCatalog.Rule rule = catalog.find(f.ruleId());
                if (rule == null) {
                    rule = new RuleCatalog.Rule(f.ruleId(), f.message(), "Review the finding's evidence.", f.severity(), f.reference());
                }
                g.writeStartObject();
                g.writeStringField("id", rule.id());
                g.writeStringField("name", rule.name());
                g.writeObjectFieldStart("shortDescription");
                g.writeStringField("text", rule.description());
                g.writeEndObject();
                g.writeObjectFieldStart("fullDescription");
                g.writeStringField("text", rule.description() + (rule.reference().isEmpty() ? "" : " Reference: " + rule.reference()));
                g.writeEndObject();
                g.writeObjectFieldStart("help");
                g.writeStringField("text", rule.help());
                g.writeStringField("markdown", rule.help() + (rule.reference().isEmpty() ? "" : "\n\nReference: " + rule.reference()));
                g.writeEndObject();
                if (rule.reference().startsWith("http")) g.writeStringField("helpUri", rule.reference());
                g.writeObjectFieldStart("defaultConfiguration");
                g.writeStringField("level", level(rule.severity()));
                g.writeEndObject();
                g.writeObjectFieldStart("properties");
                g.writeStringField("security-severity", securitySeverity(rule.severity()));
                g.writeArrayFieldStart("tags");
                g.writeString("security");
                g.writeString("model-file");
                g.writeEndArray();
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();

            g.writeArrayFieldStart("invocations");
            g.writeStartObject();
            boolean errors = report.results().stream().anyMatch(r -> !r.errors().isEmpty());
            g.writeBooleanField("executionSuccessful", !errors);
            g.writeArrayFieldStart("toolExecutionNotifications");
            for (ArtifactResult r : report.results()) {
                for (ScanError e : r.errors()) {
                    g.writeStartObject();
                    g.writeStringField("level", "error");
                    g.writeObjectFieldStart("message");
                    g.writeStringField("text", e.path() + ": " + e.message());
                    g.writeEndObject();
                    g.writeObjectFieldStart("descriptor");
                    g.writeStringField("id", e.code());
                    g.writeEndObject();
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();

            g.writeArrayFieldStart("results");
            for (ArtifactResult r : report.results()) {
                for (Finding f : r.findings()) if (reported(f)) writeResult(g, r, f);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void writeResult(JsonGenerator g, ArtifactResult r, Finding f) throws IOException {
        g.writeStartObject();
        g.writeStringField("ruleId", f.ruleId());
        g.writeStringField("level", level(f.severity()));
        g.writeObjectFieldStart("message");
        String text = f.message() + (f.path().equals(r.path()) ? "" : " [in " + f.path() + "]")
                + (f.evidence().isEmpty() ? "" : " Evidence: " + f.evidence());
        g.writeStringField("text", text);
        g.writeEndObject();
        g.writeArrayFieldStart("locations");
        g.writeStartObject();
        g.writeObjectFieldStart("physicalLocation");
        g.writeObjectFieldStart("artifactLocation");
        g.writeStringField("uri", uri(r.path()));
        g.writeEndObject();
        if (f.line() >= 1) {
            g.writeObjectFieldStart("region");
            g.writeNumberField("startLine", f.line());
            if (f.column() >= 1) g.writeNumberField("startColumn", f.column());
            g.writeEndObject();
        } else {
            // GitHub code scanning requires a line for every result: line 1 of a binary file, plus the
            // byte region where the finding is in the file itself (not inside a container member).
            g.writeObjectFieldStart("region");
            g.writeNumberField("startLine", 1);
            if (f.offset() >= 0 && f.path().equals(r.path())) {
                g.writeNumberField("byteOffset", f.offset());
                g.writeNumberField("byteLength", 1);
            }
            g.writeEndObject();
        }
        g.writeEndObject();
        if (!f.path().equals(r.path())) {
            g.writeArrayFieldStart("logicalLocations");
            g.writeStartObject();
            g.writeStringField("fullyQualifiedName", f.path() + (f.offset() >= 0 ? "@" + f.offset() : ""));
            g.writeStringField("kind", "module");
            g.writeEndObject();
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeEndArray();
        g.writeObjectFieldStart("partialFingerprints");
        g.writeStringField("modelvet/v1", fingerprint(f));
        g.writeEndObject();
        g.writeObjectFieldStart("properties");
        g.writeStringField("severity", f.severity().lowerName());
        g.writeStringField("artifactPath", f.path());
        if (!f.evidence().isEmpty()) g.writeStringField("evidence", f.evidence());
        g.writeEndObject();
        g.writeEndObject();
    }

    /** INFO findings (e.g. "pickle-based; prefer safetensors" on every benign checkpoint) would become code-scanning alerts. */
    private static boolean reported(Finding f) {
        return f.severity() != Severity.INFO;
    }

    static String level(Severity s) {
        return switch (s) {
            case CRITICAL, HIGH -> "error";
            case MEDIUM -> "warning";
            case LOW, INFO -> "note";
        };
    }

    static String securitySeverity(Severity s) {
        return switch (s) {
            case CRITICAL -> "9.8";
            case HIGH -> "8.0";
            case MEDIUM -> "5.0";
            case LOW -> "3.0";
            case INFO -> "0.0";
        };
    }

    private static String uri(String path) {
        return path.replace('\\', '/').replace(" ", "%20");
    }

    /** Stable across runs: rule, container path and evidence, not offsets of the input file. */
    private static String fingerprint(Finding f) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((f.ruleId() + "\n" + f.path() + "\n" + f.evidence()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
