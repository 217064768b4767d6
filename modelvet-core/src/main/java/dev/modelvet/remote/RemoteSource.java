package dev.modelvet.remote;

import dev.modelvet.scan.ByteSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A remote file as a random-access {@link ByteSource}: reads become HTTP Range requests for 1 MiB
 * blocks (a few kept in memory), so the scanner fetches only what a format needs (a zip's central
 * directory and pickles, a safetensors header). A server that ignores Range gets one bounded full
 * download to a temporary file instead. Counts the bytes transferred.
 */
public final class RemoteSource implements ByteSource {
    private static final int BLOCK = 1 << 20;
    private static final int CACHED_BLOCKS = 32;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final Http http;
    private final URI url;
    private final long maxBytes;
    private long size = -1;
    private long transferred;
    private Path fullCopy;
    private ByteSource full;
    private MessageDigest fullDigest;
    private final Map<Long, byte[]> blocks = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) {
            return size() > CACHED_BLOCKS;
        }
    };

    RemoteSource(Http http, URI url, long knownSize, long maxBytes) throws IOException {
        this.http = http;
        this.url = url;
        this.maxBytes = maxBytes;
        this.size = knownSize;
        fetchBlock(0); // learns the size (Content-Range) and whether ranges work
    }

    /** Opens a URL anonymously (no token). */
    public static RemoteSource open(URI url, long maxBytes) throws IOException {
        return new RemoteSource(new Http(null), url, -1, maxBytes);
    }

    public URI url() {
        return url;
    }

    public long bytesTransferred() {
        return transferred;
    }

    /** SHA-256 of the whole file when it was downloaded whole, else null. */
    public String sha256IfComplete() {
        return fullDigest == null ? null : HexFormat.of().formatHex(fullDigest.digest());
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public synchronized int read(long position, byte[] dst, int off, int len) throws IOException {
        if (position < 0 || position >= size) return -1;
        if (full != null) return full.read(position, dst, off, len);
        long blockIndex = position / BLOCK;
        byte[] block = blocks.get(blockIndex);
        if (block == null) {
            block = fetchBlock(blockIndex);
            if (full != null) return full.read(position, dst, off, len);
        }
        int inBlock = (int) (position - blockIndex * BLOCK);
        int n = Math.min(len, block.length - inBlock);
        if (n <= 0) return -1;
        System.arraycopy(block, inBlock, dst, off, n);
        return n;
    }

    private byte[] fetchBlock(long index) throws IOException {
        long start = index * BLOCK;
        long end = start + BLOCK - 1;
        if (size >= 0) end = Math.min(end, size - 1);
        HttpResponse<InputStream> r = http.get(url, Map.of("Range", "bytes=" + start + "-" + end));
        int code = r.statusCode();
        if (code == 206) {
            String cr = r.headers().firstValue("Content-Range").orElse("");
            Matcher m = CONTENT_RANGE.matcher(cr);
            if (m.matches() && !m.group(3).equals("*")) size = Long.parseLong(m.group(3));
            byte[] b;
            try (InputStream in = r.body()) {
                b = in.readNBytes((int) (end - start + 1));
            }
            transferred += b.length;
            if (size < 0) throw new IOException(url + ": server sent no total size");
            blocks.put(index, b);
            return b;
        }
        if (code == 200) {
            downloadWhole(r);
            return new byte[0];
        }
        if (code == 416 && size == 0) {
            r.body().close();
            return new byte[0];
        }
        r.body().close();
        throw new IOException(url + ": HTTP " + code);
    }

    private void downloadWhole(HttpResponse<InputStream> r) throws IOException {
        fullCopy = Files.createTempFile("modelvet-download-", ".bin");
        fullCopy.toFile().deleteOnExit();
        try {
            fullDigest = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long total = 0;
        try (InputStream in = r.body(); OutputStream out = Files.newOutputStream(fullCopy)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > maxBytes) throw new IOException(url + ": larger than the download limit of " + maxBytes + " bytes");
                fullDigest.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        transferred += total;
        size = total;
        full = total <= (8 << 20) ? ByteSource.of(Files.readAllBytes(fullCopy)) : dev.modelvet.scan.FileByteSource.open(fullCopy);
    }

    /** Reads the whole file (for small files, so the hash can be checked), hashing as it goes. */
    public String sha256() throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[BLOCK];
        for (long p = 0; p < size; ) {
            int n = read(p, buf, 0, buf.length);
            if (n <= 0) throw new IOException(url + ": short read at " + p);
            md.update(buf, 0, n);
            p += n;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Override
    public void close() throws IOException {
        if (full != null) full.close();
        if (fullCopy != null) Files.deleteIfExists(fullCopy);
    }
}
