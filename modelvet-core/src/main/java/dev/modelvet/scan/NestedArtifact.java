package dev.modelvet.scan;

/**
 * An artifact seen while scanning an input: the input itself or something inside it.
 *
 * @param path   display path with container levels
 * @param format detected format id, or "unknown" when skipped
 * @param size   bytes
 * @param note   what was done with it when not scanned ("skipped: ..."), else empty
 */
public record NestedArtifact(String path, String format, long size, String note) {
}
