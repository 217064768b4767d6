package dev.modelvet.config;

/** A configuration file that cannot be used; the message starts with {@code file:line:}. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
