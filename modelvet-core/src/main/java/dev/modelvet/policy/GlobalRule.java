package dev.modelvet.policy;

import dev.modelvet.scan.Severity;
import java.util.List;

/**
 * One deny-list rule: the globals it names, how bad referencing or calling them is, and why.
 *
 * @param id        stable rule id (SARIF, ignore lists)
 * @param severity  severity when a matching global is referenced or called
 * @param message   short explanation
 * @param reference CVE, advisory or documentation
 * @param payload   "pickle" or "bytes" when the callable loads its bytes argument, which is then scanned as a
 *                  nested artifact; null otherwise
 * @param targets   the globals matched
 * @param scannedPayloadSeverity severity when every call had its payload literally in the file (so the
 *                  nested scan judges the content), or null to keep {@code severity}: a tensor pickled
 *                  with pickle.dumps carries its storage as a torch file in bytes, which is harmless in itself
 */
public record GlobalRule(String id, Severity severity, String message, String reference, String payload,
                         List<GlobalPattern> targets, Severity scannedPayloadSeverity) {
    public GlobalRule {
        targets = List.copyOf(targets);
    }

    public GlobalRule(String id, Severity severity, String message, String reference, String payload,
                      List<GlobalPattern> targets) {
        this(id, severity, message, reference, payload, targets, null);
    }

    boolean matches(String module, String name) {
        for (GlobalPattern p : targets) {
            if (p.matches(module, name)) return true;
        }
        return false;
    }

    boolean matchesExactly(String module, String name) {
        for (GlobalPattern p : targets) {
            if (p.isExact() && p.matches(module, name)) return true;
        }
        return false;
    }
}
