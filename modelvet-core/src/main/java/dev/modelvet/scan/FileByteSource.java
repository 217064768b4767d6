package dev.modelvet.scan;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A file read with positional reads; never mapped, so huge files cost no address space. */
public final class FileByteSource implements ByteSource {
    private final FileChannel channel;
    private final long size;
    private final Path path;

    private FileByteSource(FileChannel channel, Path path) throws IOException {
        this.channel = channel;
        this.size = channel.size();
        this.path = path;
    }

    public static FileByteSource open(Path path) throws IOException {
        return new FileByteSource(FileChannel.open(path, StandardOpenOption.READ), path);
    }

    /** The file, for libraries that can only read files (HDF5). */
    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(long position, byte[] dst, int off, int len) throws IOException {
        if (position >= size || position < 0) return -1;
        int n = (int) Math.min(len, size - position);
        return channel.read(ByteBuffer.wrap(dst, off, n), position);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
