package dev.modelvet.scan;

import java.util.Locale;

/** How bad a finding is. Ordered from least to most severe. */
public enum Severity {
    /** Informational, e.g. "pickle-based format; prefer safetensors". */
    INFO,
    LOW,
    /** Suspicious: an unknown global referenced, a path escape, signs of tampering. */
    MEDIUM,
    /** Dangerous capability: file write, network, import machinery, unknown callable invoked. */
    HIGH,
    /** Code execution. */
    CRITICAL;

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }

    public static Severity max(Severity a, Severity b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.compareTo(b) >= 0 ? a : b;
    }

    public static Severity parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown severity '" + text + "' (expected critical, high, medium, low or info)");
        }
    }

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
