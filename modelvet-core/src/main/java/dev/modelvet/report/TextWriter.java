package dev.modelvet.report;

import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Finding;
import dev.modelvet.scan.NestedArtifact;
import dev.modelvet.scan.Report;
import dev.modelvet.scan.ScanError;
import dev.modelvet.scan.Severity;
import dev.modelvet.scan.Verdict;
import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

/** Human-readable report, ending with a summary in the spirit of picklescan's. */
public final class TextWriter implements ReportWriter {

    /**
     * @param minSeverity lowest severity listed per file
     * @param quiet       list only files that are not clean, then the summary
     * @param verbose     also list nested artifacts and skipped content
     */
    public record Options(Severity minSeverity, boolean quiet, boolean verbose) {
        public static Options defaults() {
            return new Options(Severity.LOW, false, false);
        }
    }

    private final Options options;

    public TextWriter(Options options) {
        this.options = options;
    }

    @Override
    public void write(Report report, Writer out) throws IOException {
        for (ArtifactResult r : report.results()) {
            boolean clean = r.verdict() == Verdict.CLEAN && r.errors().isEmpty();
            if (options.quiet() && clean) continue;
            out.write(esc(r.path()) + ": " + label(r) + "\n");
            for (Finding f : r.findings()) {
                if (!f.severity().atLeast(options.minSeverity())) continue;
                out.write(String.format(Locale.ROOT, "  %-8s %s  %s%s%n", f.severity(), esc(f.ruleId()), esc(f.path()),
                        f.line() >= 1 ? ":" + f.line() + ":" + f.column() : f.offset() >= 0 ? " @" + f.offset() : ""));
                out.write("           " + esc(f.message()) + "\n");
                if (!f.evidence().isEmpty() && !f.evidence().equals(f.message())) {
                    out.write("           evidence: " + esc(f.evidence()) + "\n");
                }
            }
            for (ScanError e : r.errors()) {
                out.write(String.format(Locale.ROOT, "  %-8s %s  %s%s%n", "ERROR", esc(e.code()), esc(e.path()),
                        e.offset() >= 0 ? " @" + e.offset() : ""));
                out.write("           " + esc(e.message()) + "\n");
            }
            if (options.verbose()) {
                for (NestedArtifact a : r.artifacts()) {
                    out.write("  artifact " + esc(a.path()) + " [" + esc(a.format()) + ", " + a.size() + " bytes]"
                            + (a.note().isEmpty() ? "" : " " + esc(a.note())) + "\n");
                }
            }
        }
        long dangerous = report.results().stream().flatMap(r -> r.findings().stream())
                .filter(f -> f.severity().atLeast(Severity.HIGH)).count();
        long suspicious = report.results().stream().flatMap(r -> r.findings().stream())
                .filter(f -> f.severity() == Severity.MEDIUM).count();
        out.write("----------- SCAN SUMMARY -----------\n");
        out.write("Scanned files: " + report.results().size() + "\n");
        out.write("Infected files: " + report.count(Verdict.MALICIOUS) + "\n");
        out.write("Suspicious files: " + report.count(Verdict.SUSPICIOUS) + "\n");
        out.write("Files with errors: " + report.results().stream().filter(r -> !r.errors().isEmpty()).count() + "\n");
        out.write("Dangerous findings: " + dangerous + "\n");
        out.write("Suspicious findings: " + suspicious + "\n");
        out.write(String.format(Locale.ROOT, "Time: %.2f s%n", report.nanos() / 1e9));
        out.flush();
    }

    private static String label(ArtifactResult r) {
        if (r.skipped()) return "skipped (not a recognised format)";
        String v = r.verdict().name();
        if (r.maxSeverity() != null) v += " (" + r.maxSeverity() + ")";
        if (r.verdict() != Verdict.ERROR && !r.errors().isEmpty()) v += ", with errors";
        return v + " [" + esc(r.format()) + "]";
    }

    /** Everything from a scanned file goes through here: see {@link TerminalText}. */
    private static String esc(String s) {
        return TerminalText.escape(s);
    }
}
