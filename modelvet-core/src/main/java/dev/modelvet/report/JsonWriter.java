package dev.modelvet.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Finding;
import dev.modelvet.scan.NestedArtifact;
import dev.modelvet.scan.Report;
import dev.modelvet.scan.ScanError;
import dev.modelvet.scan.Severity;
import dev.modelvet.scan.Verdict;
import java.io.IOException;
import java.io.Writer;

/**
 * The JSON report, schema version {@value #SCHEMA_VERSION}; documented in docs/report-schema.md.
 * Fields are only ever added within a schema version.
 */
public final class JsonWriter implements ReportWriter {
    public static final int SCHEMA_VERSION = 1;
    private static final JsonFactory FACTORY = new JsonFactory();

    @Override
    public void write(Report report, Writer out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.setCharacterEscapes(TerminalText.jsonEscapes());
            g.writeStartObject();
            g.writeNumberField("schemaVersion", SCHEMA_VERSION);
            g.writeObjectFieldStart("tool");
            g.writeStringField("name", "modelvet");
            g.writeStringField("version", report.toolVersion());
            g.writeEndObject();
            g.writeStringField("policyVersion", report.policyVersion());
            g.writeStringField("started", report.started().toString());
            g.writeNumberField("durationMs", report.nanos() / 1_000_000);
            g.writeObjectFieldStart("summary");
            g.writeNumberField("scanned", report.results().size());
            for (Verdict v : Verdict.values()) g.writeNumberField(v.lowerName(), report.count(v));
            g.writeNumberField("skipped", report.results().stream().filter(ArtifactResult::skipped).count());
            g.writeObjectFieldStart("findings");
            for (Severity s : Severity.values()) {
                g.writeNumberField(s.lowerName(), report.results().stream().flatMap(r -> r.findings().stream())
                        .filter(f -> f.severity() == s).count());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeArrayFieldStart("results");
            for (ArtifactResult r : report.results()) writeResult(g, r);
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void writeResult(JsonGenerator g, ArtifactResult r) throws IOException {
        g.writeStartObject();
        g.writeStringField("path", r.path());
        g.writeNumberField("size", r.size());
        g.writeStringField("format", r.format());
        g.writeStringField("verdict", r.verdict().lowerName());
        if (r.maxSeverity() == null) g.writeNullField("maxSeverity");
        else g.writeStringField("maxSeverity", r.maxSeverity().lowerName());
        g.writeBooleanField("skipped", r.skipped());
        g.writeNumberField("durationMs", r.nanos() / 1_000_000);
        g.writeArrayFieldStart("findings");
        for (Finding f : r.findings()) {
            g.writeStartObject();
            g.writeStringField("ruleId", f.ruleId());
            g.writeStringField("severity", f.severity().lowerName());
            g.writeStringField("path", f.path());
            g.writeNumberField("offset", f.offset());
            if (f.line() >= 1) {
                g.writeNumberField("line", f.line());
                g.writeNumberField("column", f.column());
            }
            g.writeStringField("message", f.message());
            g.writeStringField("evidence", f.evidence());
            g.writeStringField("reference", f.reference());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("errors");
        for (ScanError e : r.errors()) {
            g.writeStartObject();
            g.writeStringField("code", e.code());
            g.writeStringField("path", e.path());
            g.writeNumberField("offset", e.offset());
            g.writeStringField("message", e.message());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("artifacts");
        for (NestedArtifact a : r.artifacts()) {
            g.writeStartObject();
            g.writeStringField("path", a.path());
            g.writeStringField("format", a.format());
            g.writeNumberField("size", a.size());
            if (!a.note().isEmpty()) g.writeStringField("note", a.note());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}
