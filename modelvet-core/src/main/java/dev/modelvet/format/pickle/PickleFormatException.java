package dev.modelvet.format.pickle;

import java.io.IOException;

/** The bytes break the pickle grammar (or a limit) at {@link #offset()}; CPython's loader would fail here too. */
final class PickleFormatException extends IOException {
    private final String code;
    private final long offset;

    PickleFormatException(String code, long offset, String message) {
        super(message);
        this.code = code;
        this.offset = offset;
    }

    String code() {
        return code;
    }

    long offset() {
        return offset;
    }
}
