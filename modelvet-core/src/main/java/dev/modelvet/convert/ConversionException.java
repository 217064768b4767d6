package dev.modelvet.convert;

import java.io.IOException;

/** The input cannot be converted safely; the message says why in one line. */
public final class ConversionException extends IOException {
    public ConversionException(String message) {
        super(message);
    }
}
