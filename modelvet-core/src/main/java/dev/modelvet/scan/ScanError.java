package dev.modelvet.scan;

/**
 * An artifact, or part of one, that could not be judged: it claims a format and breaks its rules,
 * or a limit stopped the scan. Errors make the exit code 2 unless a blocking finding exists.
 *
 * @param code    stable error code, e.g. {@code pickle-truncated}, {@code limit-opcodes}
 * @param path    artifact path with container levels
 * @param offset  byte offset, or -1
 * @param message one line, no stack trace
 */
public record ScanError(String code, String path, long offset, String message) {
}
