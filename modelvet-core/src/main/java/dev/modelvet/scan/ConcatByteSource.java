package dev.modelvet.scan;

import java.io.IOException;

/** Two sources read as one, for views of a stream that a loader assembles from separate regions. */
final class ConcatByteSource implements ByteSource {
    private final ByteSource first;
    private final ByteSource second;

    ConcatByteSource(ByteSource first, ByteSource second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public long size() {
        return first.size() + second.size();
    }

    @Override
    public int read(long position, byte[] dst, int off, int len) throws IOException {
        if (position < 0 || position >= size()) return -1;
        if (position < first.size()) {
            int n = (int) Math.min(len, first.size() - position);
            return first.read(position, dst, off, n);
        }
        return second.read(position - first.size(), dst, off, len);
    }
}
