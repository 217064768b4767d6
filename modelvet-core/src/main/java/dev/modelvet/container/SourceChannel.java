package dev.modelvet.container;

import dev.modelvet.scan.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/** A read-only {@link SeekableByteChannel} over a {@link ByteSource}, for libraries that want one. */
final class SourceChannel implements SeekableByteChannel {
    private final ByteSource source;
    private long position;
    private boolean open = true;

    SourceChannel(ByteSource source) {
        this.source = source;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (position >= source.size()) return -1;
        int len = (int) Math.min(dst.remaining(), source.size() - position);
        byte[] b = new byte[Math.min(len, 1 << 20)];
        int n = source.read(position, b, 0, b.length);
        if (n <= 0) return -1;
        dst.put(b, 0, n);
        position += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public long size() {
        return source.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
