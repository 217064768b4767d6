package dev.modelvet.format.protobuf;

import dev.modelvet.scan.ByteSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Protocol Buffers wire format over a byte range of a {@link ByteSource}, without generated classes:
 * fields are read one at a time, length-delimited fields become sub-readers over their range (so
 * large tensor payloads are skipped, never copied), and every length is checked against its range.
 */
public final class WireReader {
    public static final int VARINT = 0, I64 = 1, LEN = 2, SGROUP = 3, EGROUP = 4, I32 = 5;

    private final ByteSource src;
    private long pos;
    private final long end;
    private final byte[] one = new byte[1];

    /** The field just read. */
    private int field;
    private int wireType;
    private long varint;
    private long lenStart;
    private long len;

    public WireReader(ByteSource src, long start, long end) {
        this.src = src;
        this.pos = start;
        this.end = end;
    }

    /** Thrown when the bytes break the wire format. */
    public static final class WireException extends IOException {
        public WireException(String message) {
            super(message);
        }
    }

    public boolean hasNext() {
        return pos < end;
    }

    /** Reads the next field's key and value (or value location). */
    public int next() throws IOException {
        long key = readVarint();
        field = (int) (key >>> 3);
        wireType = (int) (key & 7);
        if (field <= 0) throw new WireException("invalid field number " + field + " at offset " + pos);
        switch (wireType) {
            case VARINT -> varint = readVarint();
            case I64 -> skip(8);
            case I32 -> skip(4);
            case LEN -> {
                len = readVarint();
                if (len < 0 || len > end - pos) throw new WireException("field " + field + " length " + len + " exceeds its message");
                lenStart = pos;
                pos += len;
            }
            default -> throw new WireException("unsupported wire type " + wireType + " for field " + field);
        }
        return field;
    }

    public int field() {
        return field;
    }

    public int wireType() {
        return wireType;
    }

    public long varint() {
        return varint;
    }

    public long length() {
        return len;
    }

    public long valueOffset() {
        return lenStart;
    }

    /** The current length-delimited field as a nested message. */
    public WireReader message() throws WireException {
        if (wireType != LEN) throw new WireException("field " + field + " is not a message");
        return new WireReader(src, lenStart, lenStart + len);
    }

    /** The current length-delimited field as UTF-8 text, at most {@code max} bytes of it. */
    public String string(int max) throws IOException {
        if (wireType != LEN) throw new WireException("field " + field + " is not a string");
        int n = (int) Math.min(len, max);
        byte[] b = new byte[n];
        src.readFully(lenStart, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }

    private long readVarint() throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw new WireException("message ends inside a varint at offset " + pos);
            src.readFully(pos++, one, 0, 1);
            int b = one[0] & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new WireException("varint longer than 10 bytes at offset " + pos);
    }

    private void skip(long n) throws WireException {
        if (n > end - pos) throw new WireException("fixed-width field runs past its message");
        pos += n;
    }
}
