package dev.modelvet.scan;

import java.util.Locale;

/** Per-artifact verdict, as written in reports. */
public enum Verdict {
    CLEAN, SUSPICIOUS, MALICIOUS, ERROR;

    /** MALICIOUS at HIGH or above, SUSPICIOUS at MEDIUM, otherwise ERROR if something could not be parsed. */
    public static Verdict of(Severity maxSeverity, boolean hasErrors) {
        if (maxSeverity != null && maxSeverity.atLeast(Severity.HIGH)) return MALICIOUS;
        if (maxSeverity == Severity.MEDIUM) return SUSPICIOUS;
        return hasErrors ? ERROR : CLEAN;
    }

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
