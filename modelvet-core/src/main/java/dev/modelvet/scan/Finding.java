package dev.modelvet.scan;

import java.util.Objects;

/**
 * One thing a scanner found in an artifact.
 *
 * @param ruleId    stable rule id (used in SARIF and ignore lists)
 * @param severity  how bad it is
 * @param path      artifact path, with {@code !} separating container levels ("model.pt!archive/data.pkl")
 * @param offset    byte offset inside that artifact, or -1 when unknown
 * @param message   short human message
 * @param evidence  what was seen, e.g. {@code os.system('echo hi')}; may be empty
 * @param reference CVE, advisory or documentation link; may be empty
 * @param line      1-based line in a source file, or -1
 * @param column    1-based column in a source file, or -1
 */
public record Finding(String ruleId, Severity severity, String path, long offset,
                      String message, String evidence, String reference, int line, int column) {

    /** A finding in binary content (no line or column). */
    public Finding(String ruleId, Severity severity, String path, long offset, String message, String evidence, String reference) {
        this(ruleId, severity, path, offset, message, evidence, reference, -1, -1);
    }

    public Finding {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(path, "path");
        message = message == null ? "" : message;
        evidence = evidence == null ? "" : evidence;
        reference = reference == null ? "" : reference;
    }
}
