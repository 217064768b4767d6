package dev.modelvet.report;

import dev.modelvet.scan.Report;
import java.io.IOException;
import java.io.Writer;

/** Writes a {@link Report} in one output format. */
public interface ReportWriter {
    void write(Report report, Writer out) throws IOException;

    /** The writer for {@code text}, {@code json} or {@code sarif}. */
    static ReportWriter forFormat(String format, TextWriter.Options textOptions, dev.modelvet.policy.Policy policy) {
        return switch (format) {
            case "text" -> new TextWriter(textOptions);
            case "json" -> new JsonWriter();
            case "sarif" -> new SarifWriter(new RuleCatalog(policy));
            default -> throw new IllegalArgumentException("unknown report format '" + format + "' (text, json, sarif)");
        };
    }
}
