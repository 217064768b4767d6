package dev.modelvet.scan;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Random-access bytes of an artifact: a file, a slice of another source, or bytes in memory.
 * Every artifact is random access so that scanners can seek (zip central directories, skipping raw
 * tensor data) without copying; decompressed children are spooled first, within {@link Limits}.
 */
public interface ByteSource extends Closeable {

    /** Exact size in bytes. */
    long size();

    /**
     * Reads up to {@code len} bytes at {@code position}; returns the number read, or -1 at or past the end.
     */
    int read(long position, byte[] dst, int off, int len) throws IOException;

    /** Reads exactly {@code len} bytes or throws {@link EOFException}. */
    default void readFully(long position, byte[] dst, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = read(position + done, dst, off + done, len - done);
            if (n < 0) throw new EOFException("unexpected end of data at offset " + (position + done));
            done += n;
        }
    }

    /** Reads up to {@code max} bytes from {@code position} (fewer at the end). */
    default byte[] readAt(long position, int max) throws IOException {
        long available = Math.max(0, size() - position);
        int len = (int) Math.min(max, available);
        byte[] out = new byte[len];
        readFully(position, out, 0, len);
        return out;
    }

    /** A view of {@code length} bytes from {@code offset}; shares the underlying storage. */
    default ByteSource slice(long offset, long length) {
        return new SliceByteSource(this, offset, length);
    }

    /** A sequential stream from {@code position} to the end; closing it does not close the source. */
    default InputStream openStream(long position) {
        return new SourceInputStream(this, position);
    }

    @Override
    default void close() throws IOException {
    }

    /** {@code first} followed by {@code second}. */
    static ByteSource concat(ByteSource first, ByteSource second) {
        return new ConcatByteSource(first, second);
    }

    static ByteSource of(byte[] bytes) {
        return new ArrayByteSource(bytes, 0, bytes.length);
    }
}
