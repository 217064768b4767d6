package dev.modelvet.scan;

/**
 * Hard limits that every reader honours. Exceeding one produces a finding or an error, never an
 * exception escaping a scanner and never an unbounded allocation.
 *
 * @param maxDepth                nesting depth of artifacts (zip in zip in gzip ...)
 * @param maxArchiveEntries       entries read from one archive
 * @param maxDecompressedBytes    bytes produced by one decompression
 * @param maxCompressionRatio     decompressed/compressed ratio tolerated once past {@link #ratioGraceBytes}
 * @param ratioGraceBytes         output size under which the ratio is not checked
 * @param maxInMemoryBytes        a child artifact larger than this is spooled to a temporary file
 * @param maxPickleOpcodes        opcodes in one pickle stream
 * @param maxPickleStreams        pickle streams in one artifact (several pickles back to back)
 * @param maxMemoEntries          entries in the pickle memo
 * @param maxStackDepth           pickle stack plus mark stack size
 * @param maxKeptString           characters of a string kept as evidence or operand
 * @param maxKeptBytes            bytes of a bytes payload kept in memory for nested scanning
 * @param maxContainerItems       items of a symbolic list/dict/tuple kept as evidence
 * @param maxHeaderBytes          bytes of a format header (safetensors JSON, npy dict, zip central directory)
 * @param maxTempFileBytes        bytes spooled to a temporary file for one child
 */
public record Limits(int maxDepth, int maxArchiveEntries, long maxDecompressedBytes, long maxCompressionRatio,
                     long ratioGraceBytes, long maxInMemoryBytes, long maxPickleOpcodes, int maxPickleStreams,
                     int maxMemoEntries, int maxStackDepth, int maxKeptString, int maxKeptBytes,
                     int maxContainerItems, long maxHeaderBytes, long maxTempFileBytes) {

    public static Limits defaults() {
        return new Limits(
                12,                         // nesting depth
                100_000,                    // archive entries
                8L << 30,                   // 8 GiB decompressed per stream
                1_000,                      // ratio (a zip bomb is 1,000,000+)
                64L << 20,                  // ratio checked past 64 MiB of output
                8L << 20,                   // children above 8 MiB go to a temp file
                50_000_000,                 // opcodes per pickle stream
                4_096,                      // pickle streams per artifact
                4_000_000,                  // memo entries
                1_000_000,                  // stack + marks
                4_096,                      // string characters kept
                64 << 10,                   // bytes payload kept in memory (larger ones are re-read in place)
                64,                         // container items kept as evidence
                100_000_000,                // header bytes
                8L << 30);                  // temp file bytes
    }

    public Limits withMaxPickleOpcodes(long value) {
        return new Limits(maxDepth, maxArchiveEntries, maxDecompressedBytes, maxCompressionRatio, ratioGraceBytes,
                maxInMemoryBytes, value, maxPickleStreams, maxMemoEntries, maxStackDepth, maxKeptString,
                maxKeptBytes, maxContainerItems, maxHeaderBytes, maxTempFileBytes);
    }

    public Limits withMaxDecompressedBytes(long value) {
        return new Limits(maxDepth, maxArchiveEntries, value, maxCompressionRatio, ratioGraceBytes,
                maxInMemoryBytes, maxPickleOpcodes, maxPickleStreams, maxMemoEntries, maxStackDepth, maxKeptString,
                maxKeptBytes, maxContainerItems, maxHeaderBytes, maxTempFileBytes);
    }

    public Limits withMaxDepth(int value) {
        return new Limits(value, maxArchiveEntries, maxDecompressedBytes, maxCompressionRatio, ratioGraceBytes,
                maxInMemoryBytes, maxPickleOpcodes, maxPickleStreams, maxMemoEntries, maxStackDepth, maxKeptString,
                maxKeptBytes, maxContainerItems, maxHeaderBytes, maxTempFileBytes);
    }

    public Limits withMaxMemoEntries(int value) {
        return new Limits(maxDepth, maxArchiveEntries, maxDecompressedBytes, maxCompressionRatio, ratioGraceBytes,
                maxInMemoryBytes, maxPickleOpcodes, maxPickleStreams, value, maxStackDepth, maxKeptString,
                maxKeptBytes, maxContainerItems, maxHeaderBytes, maxTempFileBytes);
    }
}
