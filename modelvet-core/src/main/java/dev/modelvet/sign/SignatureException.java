package dev.modelvet.sign;

import java.io.IOException;

/** Signing or verification failed; the message names the file or field at fault. */
public final class SignatureException extends IOException {
    public SignatureException(String message) {
        super(message);
    }
}
