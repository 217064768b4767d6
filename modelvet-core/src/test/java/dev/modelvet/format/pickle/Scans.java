package dev.modelvet.format.pickle;

import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.Finding;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Severity;
import java.util.Optional;

/** Runs the real scanner on bytes, for tests. */
final class Scans {
    private static final Scanner SCANNER = Scanner.builder().build();

    private Scans() {
    }

    static ArtifactResult scan(byte[] bytes) {
        return SCANNER.scan("test.bin", ByteSource.of(bytes));
    }

    static Optional<Finding> rule(ArtifactResult r, String ruleId) {
        return r.findings().stream().filter(f -> f.ruleId().equals(ruleId)).findFirst();
    }

    static boolean any(ArtifactResult r, Severity atLeast, String evidence) {
        return r.findings().stream().anyMatch(f -> f.severity().atLeast(atLeast)
                && (f.evidence().contains(evidence) || f.message().contains(evidence)));
    }
}
