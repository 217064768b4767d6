package dev.modelvet.scan;

import java.io.IOException;

/** A {@link Limits} bound was reached; scanners turn it into a {@link ScanError}, never let it escape. */
public final class LimitExceededException extends IOException {
    private final String code;

    public LimitExceededException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
