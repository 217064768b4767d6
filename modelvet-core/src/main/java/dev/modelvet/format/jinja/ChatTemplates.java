package dev.modelvet.format.jinja;

import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ScanContext;

/** Reports a template's verdict as a finding; shared by GGUF, tokenizer configs and .jinja files. */
public final class ChatTemplates {
    private ChatTemplates() {
    }

    /** Analyses {@code template} found under {@code where}; returns true when a finding was made. */
    public static boolean report(Artifact artifact, long offset, String where, String template, ScanContext ctx) {
        TemplateAnalyzer.Verdict v = TemplateAnalyzer.analyze(template);
        if (v.clean()) return false;
        String reasons = String.join(", ", v.reasons().subList(0, Math.min(6, v.reasons().size())));
        ctx.finding(artifact, offset, "template-injection", v.severity(),
                where + ": Jinja template reaches Python internals" + (v.severity() == dev.modelvet.scan.Severity.CRITICAL
                        ? " and a code-execution sink (runs code when an unsandboxed renderer formats a chat)" : ""),
                reasons, "CVE-2024-34359");
        return true;
    }
}
