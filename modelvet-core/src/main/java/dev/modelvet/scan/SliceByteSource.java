package dev.modelvet.scan;

import java.io.IOException;

final class SliceByteSource implements ByteSource {
    private final ByteSource parent;
    private final long offset;
    private final long length;

    SliceByteSource(ByteSource parent, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > parent.size()) {
            throw new IllegalArgumentException("slice [" + offset + ", +" + length + ") outside a source of " + parent.size() + " bytes");
        }
        this.parent = parent;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public long size() {
        return length;
    }

    @Override
    public int read(long position, byte[] dst, int off, int len) throws IOException {
        if (position >= length || position < 0) return -1;
        int n = (int) Math.min(len, length - position);
        return parent.read(offset + position, dst, off, n);
    }

    @Override
    public ByteSource slice(long off, long len) {
        if (off < 0 || len < 0 || off + len > length) throw new IllegalArgumentException("slice out of range");
        return new SliceByteSource(parent, offset + off, len);
    }
}
