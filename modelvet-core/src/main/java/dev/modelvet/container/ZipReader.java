package dev.modelvet.container;

import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.LimitExceededException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tolerant zip reader: it reads what PyTorch (miniz) and Python's zipfile read, ignoring CRC
 * errors, flag bits and local/central name mismatches, and records every such oddity instead of
 * failing. Offsets are corrected for data prepended to the archive, as zipfile does.
 */
final class ZipReader {
    static final int EOCD_SIG = 0x06054b50;
    static final int CEN_SIG = 0x02014b50;
    static final int LOC_SIG = 0x04034b50;
    static final int ZIP64_EOCD_SIG = 0x06064b50;
    static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final Charset CP437 = cp437();

    private final ByteSource src;
    final List<ZipEntryRecord> entries = new ArrayList<>();
    final List<String> oddities = new ArrayList<>();
    long eocdOffset = -1;
    long archiveEnd;
    /** Bytes before the archive proper (prepended data). */
    long prefixLength;
    int declaredEntries;

    ZipReader(ByteSource src) {
        this.src = src;
    }

    private static Charset cp437() {
        try {
            return Charset.forName("IBM437");
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    /** Finds the end-of-central-directory record in the last 64 KiB + 22 bytes; -1 if none. */
    static long findEocd(ByteSource src) throws IOException {
        long size = src.size();
        if (size < 22) return -1;
        int window = (int) Math.min(size, 22L + MAX_COMMENT);
        byte[] tail = src.readAt(size - window, window);
        for (int i = tail.length - 22; i >= 0; i--) {
            if (tail[i] == 'P' && tail[i + 1] == 'K' && tail[i + 2] == 5 && tail[i + 3] == 6) {
                long at = size - window + i;
                int cdEntries = u16(tail, i + 10);
                long cdSize = u32(tail, i + 12);
                long cdOffset = u32(tail, i + 16);
                // Plausibility: the central directory must fit before the record.
                if (cdSize <= at && (cdOffset <= at || cdOffset == 0xFFFFFFFFL) && cdEntries >= 0) return at;
            }
        }
        return -1;
    }

    void read(int maxEntries) throws IOException {
        eocdOffset = findEocd(src);
        if (eocdOffset < 0) throw new ZipFormatException("no end-of-central-directory record");
        byte[] e = src.readAt(eocdOffset, 22);
        int diskNumber = u16(e, 4);
        int cdDisk = u16(e, 6);
        long total = u16(e, 10);
        long cdSize = u32(e, 12);
        long cdOffset = u32(e, 16);
        int commentLength = u16(e, 20);
        archiveEnd = eocdOffset + 22 + commentLength;
        if (archiveEnd > src.size()) {
            oddities.add("end-of-central-directory comment length " + commentLength + " runs past the end of the file");
            archiveEnd = src.size();
        }
        if (diskNumber != 0 || cdDisk != 0) oddities.add("multi-disk archive markers (disk " + diskNumber + ")");
        long cdEnd = eocdOffset;
        if (eocdOffset >= 20) {
            byte[] loc = src.readAt(eocdOffset - 20, 20);
            if (i32(loc, 0) == ZIP64_LOCATOR_SIG) {
                long z64 = u64(loc, 8);
                if (z64 >= 0 && z64 + 56 <= eocdOffset) {
                    byte[] z = src.readAt(z64, 56);
                    if (i32(z, 0) == ZIP64_EOCD_SIG) {
                        total = u64(z, 32);
                        cdSize = u64(z, 40);
                        cdOffset = u64(z, 48);
                        cdEnd = z64;
                    }
                }
                if (cdEnd == eocdOffset) cdEnd = eocdOffset - 20;
            }
        }
        if (total > maxEntries) {
            throw new LimitExceededException("limit-archive-entries", "zip declares " + total + " entries (limit " + maxEntries + ")");
        }
        declaredEntries = (int) total;
        long realCdStart = cdEnd - cdSize;
        if (realCdStart < 0) throw new ZipFormatException("central directory size " + cdSize + " exceeds the data before it");
        prefixLength = realCdStart - cdOffset;
        if (prefixLength < 0) throw new ZipFormatException("central directory offset " + cdOffset + " points past its real position");
        if (cdSize > Integer.MAX_VALUE) throw new LimitExceededException("limit-header-bytes", "zip central directory of " + cdSize + " bytes");
        byte[] cd = src.readAt(realCdStart, (int) cdSize);
        int p = 0;
        while (p + 46 <= cd.length) {
            if (i32(cd, p) != CEN_SIG) {
                oddities.add("central directory ends early at entry " + entries.size() + " (bad signature)");
                break;
            }
            if (entries.size() >= maxEntries) {
                throw new LimitExceededException("limit-archive-entries", "more than " + maxEntries + " zip entries");
            }
            int flags = u16(cd, p + 8);
            int method = u16(cd, p + 10);
            long crc = u32(cd, p + 16);
            long csize = u32(cd, p + 20);
            long usize = u32(cd, p + 24);
            int nameLen = u16(cd, p + 28);
            int extraLen = u16(cd, p + 30);
            int commentLen = u16(cd, p + 32);
            long localOffset = u32(cd, p + 42);
            int nameStart = p + 46;
            if (nameStart + nameLen + extraLen + commentLen > cd.length) {
                oddities.add("central directory entry " + entries.size() + " runs past the directory");
                break;
            }
            String name = decodeName(cd, nameStart, nameLen, flags);
            // ZIP64 extra field: replaces the 0xFFFFFFFF values, in order usize, csize, offset.
            int x = nameStart + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = u16(cd, x);
                int len = u16(cd, x + 2);
                int q = x + 4;
                if (id == 0x0001 && q + len <= xEnd) {
                    if (usize == 0xFFFFFFFFL && q + 8 <= x + 4 + len) { usize = u64(cd, q); q += 8; }
                    if (csize == 0xFFFFFFFFL && q + 8 <= x + 4 + len) { csize = u64(cd, q); q += 8; }
                    if (localOffset == 0xFFFFFFFFL && q + 8 <= x + 4 + len) { localOffset = u64(cd, q); }
                }
                x += 4 + len;
            }
            entries.add(local(name, flags, method, crc, csize, usize, localOffset + prefixLength));
            p = xEnd + commentLen;
        }
        if (entries.size() != declaredEntries) {
            oddities.add("end record declares " + declaredEntries + " entries, central directory has " + entries.size());
        }
    }

    private ZipEntryRecord local(String name, int flags, int method, long crc, long csize, long usize, long localOffset)
            throws IOException {
        if (localOffset < 0 || localOffset + 30 > src.size()) {
            return new ZipEntryRecord(name, null, flags, -1, method, crc, csize, usize, localOffset, -1);
        }
        byte[] h = src.readAt(localOffset, 30);
        if (i32(h, 0) != LOC_SIG) {
            return new ZipEntryRecord(name, null, flags, -1, method, crc, csize, usize, localOffset, -1);
        }
        int localFlags = u16(h, 6);
        int nameLen = u16(h, 26);
        int extraLen = u16(h, 28);
        byte[] n = src.readAt(localOffset + 30, nameLen);
        String localName = decodeName(n, 0, n.length, localFlags);
        long dataOffset = localOffset + 30 + nameLen + extraLen;
        return new ZipEntryRecord(name, localName, flags, localFlags, method, crc, csize, usize, localOffset, dataOffset);
    }

    private static String decodeName(byte[] b, int off, int len, int flags) {
        return new String(b, off, len, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : CP437);
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8);
    }

    static int i32(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8) | ((b[i + 2] & 0xFF) << 16) | ((b[i + 3] & 0xFF) << 24);
    }

    static long u32(byte[] b, int i) {
        return i32(b, i) & 0xFFFFFFFFL;
    }

    static long u64(byte[] b, int i) {
        return u32(b, i) | (u32(b, i + 4) << 32);
    }

    /** The archive breaks the zip format where no loader could read it. */
    static final class ZipFormatException extends IOException {
        ZipFormatException(String message) {
            super(message);
        }
    }
}
