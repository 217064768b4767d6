package dev.modelvet.container;

import dev.modelvet.detect.Head;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.lzma.LZMACompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Whole-stream compressions (joblib's, and plain .gz/.bz2/.xz/... wrappers), each recognised by its
 * magic bytes. zstd is decoded in pure Java (aircompressor) so hostile input never reaches native code.
 */
enum Codec {
    GZIP("gzip") {
        boolean matches(Head h) {
            return h.at(0) == 0x1f && h.at(1) == 0x8b && h.at(2) == 8;
        }

        InputStream open(InputStream in) throws IOException {
            // The JDK's reader returns inflated bytes as soon as it has them (commons-compress's may
            // drop a partly filled buffer when the input breaks) and reads concatenated members.
            return new java.util.zip.GZIPInputStream(in, 64 * 1024);
        }
    },
    BZIP2("bzip2") {
        boolean matches(Head h) {
            return h.startsWithAscii("BZh") && h.at(3) >= '1' && h.at(3) <= '9'
                    && (h.startsWith(4, (byte) 0x31, (byte) 0x41, (byte) 0x59, (byte) 0x26, (byte) 0x53, (byte) 0x59)
                    || h.startsWith(4, (byte) 0x17, (byte) 0x72, (byte) 0x45, (byte) 0x38, (byte) 0x50, (byte) 0x90));
        }

        InputStream open(InputStream in) throws IOException {
            return new BZip2CompressorInputStream(in, true);
        }
    },
    XZ("xz") {
        boolean matches(Head h) {
            return h.startsWith((byte) 0xFD, (byte) '7', (byte) 'z', (byte) 'X', (byte) 'Z', (byte) 0);
        }

        InputStream open(InputStream in) throws IOException {
            return new XZCompressorInputStream(in, true, 256 * 1024);
        }
    },
    LZMA("lzma") {
        boolean matches(Head h) {
            if (h.length() < 13 || h.at(0) > 224) return false;
            long dict = (h.at(1)) | ((long) h.at(2) << 8) | ((long) h.at(3) << 16) | ((long) h.at(4) << 24);
            boolean dictOk = dict >= 4096 && dict <= (1L << 30) && (Long.bitCount(dict) <= 2);
            long size = 0;
            boolean unknown = true;
            for (int i = 0; i < 8; i++) {
                size |= (long) h.at(5 + i) << (8 * i);
                if (h.at(5 + i) != 0xFF) unknown = false;
            }
            return dictOk && (unknown || (size >= 0 && size < (1L << 48))) && h.at(0) == 0x5D;
        }

        InputStream open(InputStream in) throws IOException {
            return new LZMACompressorInputStream(in, 256 * 1024);
        }
    },
    ZLIB("zlib") {
        boolean matches(Head h) {
            int cmf = h.at(0);
            int flg = h.at(1);
            if (cmf < 0 || flg < 0 || (cmf & 0x0F) != 8 || (cmf >> 4) > 7 || (flg & 0x20) != 0) return false;
            if (((cmf << 8) | flg) % 31 != 0) return false;
            // Two bytes are a weak signature: require the head to inflate cleanly as well.
            Inflater inf = new Inflater();
            try {
                inf.setInput(h.bytes(), 0, h.length());
                byte[] out = new byte[4096];
                int n = inf.inflate(out);
                return n > 0 || inf.finished();
            } catch (java.util.zip.DataFormatException e) {
                return false;
            } finally {
                inf.end();
            }
        }

        InputStream open(InputStream in) {
            return new InflaterInputStream(in, new Inflater(), 64 * 1024) {
                @Override
                public void close() throws IOException {
                    super.close();
                    inf.end();
                }
            };
        }
    },
    LZ4("lz4") {
        boolean matches(Head h) {
            return h.startsWith((byte) 0x04, (byte) 0x22, (byte) 0x4D, (byte) 0x18);
        }

        InputStream open(InputStream in) throws IOException {
            return new FramedLZ4CompressorInputStream(in, true);
        }
    },
    ZSTD("zstd") {
        boolean matches(Head h) {
            return h.startsWith((byte) 0x28, (byte) 0xB5, (byte) 0x2F, (byte) 0xFD);
        }

        InputStream open(InputStream in) {
            return new ZstdInputStream(in);
        }
    };

    final String id;

    Codec(String id) {
        this.id = id;
    }

    abstract boolean matches(Head head);

    abstract InputStream open(InputStream in) throws IOException;

    /** Codec for a zip compression method other than stored/deflate, or null. */
    static Codec forZipMethod(int method) {
        return switch (method) {
            case 12 -> BZIP2;
            case 93 -> ZSTD;
            case 95 -> XZ;
            default -> null;
        };
    }
}
