package dev.modelvet.scan;

import java.util.List;

/**
 * The outcome for one input (a file, or one URL): every finding and error from it and from
 * everything nested inside it.
 *
 * @param path        the input path as given
 * @param size        bytes
 * @param format      the detected format of the input itself ("unknown" when nothing recognised it)
 * @param verdict     clean, suspicious, malicious or error
 * @param maxSeverity highest finding severity, or null when there is none
 * @param findings    ordered by path, then offset
 * @param errors      parse failures and limits
 * @param artifacts   the input and every nested artifact seen
 * @param nanos       time spent
 */
public record ArtifactResult(String path, long size, String format, Verdict verdict, Severity maxSeverity,
                             List<Finding> findings, List<ScanError> errors, List<NestedArtifact> artifacts,
                             long nanos) {

    public ArtifactResult {
        findings = List.copyOf(findings);
        errors = List.copyOf(errors);
        artifacts = List.copyOf(artifacts);
    }

    /** True when nothing recognised the content (not an error). */
    public boolean skipped() {
        return "unknown".equals(format) && findings.isEmpty() && errors.isEmpty();
    }

    public boolean hasFindingAtLeast(Severity threshold) {
        return maxSeverity != null && maxSeverity.atLeast(threshold);
    }
}
