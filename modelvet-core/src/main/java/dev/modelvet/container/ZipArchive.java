package dev.modelvet.container;

import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.Spooler;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Read access to a zip's entries by name, with the same tolerance as the scanner (PyTorch's view:
 * central directory names, CRCs not enforced). For tools that consume archives, like the converter.
 */
public final class ZipArchive {
    private final ByteSource src;
    private final Spooler spooler;
    private final Map<String, ZipEntryRecord> entries = new LinkedHashMap<>();

    private ZipArchive(ByteSource src, Spooler spooler) {
        this.src = src;
        this.spooler = spooler;
    }

    public static ZipArchive read(ByteSource src, int maxEntries, Spooler spooler) throws IOException {
        ZipArchive a = new ZipArchive(src, spooler);
        ZipReader r = new ZipReader(src);
        r.read(maxEntries);
        for (ZipEntryRecord e : r.entries) a.entries.putIfAbsent(e.name(), e);
        return a;
    }

    public static boolean isZip(ByteSource src) throws IOException {
        return ZipReader.findEocd(src) >= 0;
    }

    /** Entry names in central-directory order. */
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    /** The entry's content, or null when there is no such entry. */
    public ByteSource open(String name) throws IOException {
        ZipEntryRecord e = entries.get(name);
        if (e == null) return null;
        if (e.dataOffset() < 0 || e.dataOffset() + e.compressedSize() > src.size()) {
            throw new IOException("zip entry '" + name + "' is truncated or has no local header");
        }
        ByteSource raw = src.slice(e.dataOffset(), e.compressedSize());
        if (e.method() == 0) return raw;
        if (e.method() == 8) {
            Inflater inflater = new Inflater(true);
            try (InputStream in = new InflaterInputStream(raw.openStream(0), inflater, 64 * 1024)) {
                return spooler.spool(in, e.compressedSize());
            } finally {
                inflater.end();
            }
        }
        Codec codec = Codec.forZipMethod(e.method());
        if (codec == null) throw new IOException("zip entry '" + name + "' uses unsupported compression method " + e.method());
        try (InputStream in = codec.open(raw.openStream(0))) {
            return spooler.spool(in, e.compressedSize());
        }
    }
}
