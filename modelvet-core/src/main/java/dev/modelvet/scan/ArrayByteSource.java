package dev.modelvet.scan;

final class ArrayByteSource implements ByteSource {
    private final byte[] bytes;
    private final int start;
    private final int length;

    ArrayByteSource(byte[] bytes, int start, int length) {
        this.bytes = bytes;
        this.start = start;
        this.length = length;
    }

    @Override
    public long size() {
        return length;
    }

    @Override
    public int read(long position, byte[] dst, int off, int len) {
        if (position >= length || position < 0) return -1;
        int n = (int) Math.min(len, length - position);
        System.arraycopy(bytes, start + (int) position, dst, off, n);
        return n;
    }

    @Override
    public ByteSource slice(long offset, long len) {
        if (offset < 0 || len < 0 || offset + len > length) throw new IllegalArgumentException("slice out of range");
        return new ArrayByteSource(bytes, start + (int) offset, (int) len);
    }
}
