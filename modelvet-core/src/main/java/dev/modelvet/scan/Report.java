package dev.modelvet.scan;

import java.time.Instant;
import java.util.List;

/**
 * All results of one scan run.
 *
 * @param toolVersion   modelvet version
 * @param policyVersion version of the policy in force (bundled or user-supplied)
 * @param started       when the run began
 * @param nanos         wall time of the run
 * @param results       one per input, in input order
 */
public record Report(String toolVersion, String policyVersion, Instant started, long nanos,
                     List<ArtifactResult> results) {

    public Report {
        results = List.copyOf(results);
    }

    /** Exit status following picklescan's convention, except that a blocking finding wins over an error. */
    public int exitCode(Severity failOn) {
        boolean blocking = results.stream().anyMatch(r -> r.hasFindingAtLeast(failOn));
        if (blocking) return 1;
        boolean errors = results.stream().anyMatch(r -> !r.errors().isEmpty());
        return errors ? 2 : 0;
    }

    public long count(Verdict verdict) {
        return results.stream().filter(r -> r.verdict() == verdict).count();
    }

    public long findingsAtLeast(Severity severity) {
        return results.stream().flatMap(r -> r.findings().stream()).filter(f -> f.severity().atLeast(severity)).count();
    }
}
