package dev.modelvet.scan;

import java.io.IOException;
import java.io.InputStream;

/** Sequential reading over a {@link ByteSource}; {@link #skip(long)} is a seek. */
final class SourceInputStream extends InputStream {
    private final ByteSource source;
    private long position;

    SourceInputStream(ByteSource source, long position) {
        this.source = source;
        this.position = position;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        int n = source.read(position, b, off, len);
        if (n > 0) position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long k = Math.max(0, Math.min(n, source.size() - position));
        position += k;
        return k;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, source.size() - position));
    }
}
