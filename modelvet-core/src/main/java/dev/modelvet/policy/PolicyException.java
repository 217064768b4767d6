package dev.modelvet.policy;

/** A policy file that cannot be used; the message names the problem and where it is. */
public final class PolicyException extends RuntimeException {
    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
