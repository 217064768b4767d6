package dev.modelvet.scan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a stream (a decompressor, an archive entry) into a random-access {@link ByteSource},
 * in memory while small and in a temporary file beyond {@link Limits#maxInMemoryBytes()}, enforcing
 * the decompressed-size and ratio limits as it goes.
 */
public final class Spooler {
    private final Limits limits;
    private final TempFiles tempFiles;

    public Spooler(Limits limits, TempFiles tempFiles) {
        this.limits = limits;
        this.tempFiles = tempFiles;
    }

    /**
     * Copies {@code in} into a source.
     *
     * @param compressedSize size of the compressed input, for the ratio check; -1 if unknown
     */
    public ByteSource spool(InputStream in, long compressedSize) throws IOException {
        byte[] buf = new byte[64 * 1024];
        ByteArrayOutputStream memory = new ByteArrayOutputStream();
        OutputStream out = memory;
        Path file = null;
        long total = 0;
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                check(total, compressedSize);
                if (file == null && total > limits.maxInMemoryBytes()) {
                    file = tempFiles.create();
                    out = Files.newOutputStream(file);
                    memory.writeTo(out);
                    memory = null;
                }
                out.write(buf, 0, n);
            }
        } finally {
            if (file != null) out.close();
        }
        if (file == null) {
            byte[] bytes = memory.toByteArray();
            return ByteSource.of(bytes);
        }
        FileByteSource source = FileByteSource.open(file);
        tempFiles.register(source);
        return source;
    }

    private void check(long total, long compressedSize) throws LimitExceededException {
        if (total > limits.maxDecompressedBytes()) {
            throw new LimitExceededException("limit-decompressed-bytes",
                    "decompressed data exceeds " + limits.maxDecompressedBytes() + " bytes");
        }
        if (total > limits.maxTempFileBytes()) {
            throw new LimitExceededException("limit-temp-bytes", "child artifact exceeds " + limits.maxTempFileBytes() + " bytes");
        }
        if (compressedSize > 0 && total > limits.ratioGraceBytes() && total / compressedSize > limits.maxCompressionRatio()) {
            throw new LimitExceededException("limit-compression-ratio",
                    "decompression ratio exceeds " + limits.maxCompressionRatio() + ":1 (" + compressedSize + " bytes expand past " + total + ")");
        }
    }
}
