package dev.modelvet.format.pickle;

import dev.modelvet.scan.ByteSource;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Streaming opcode reader over a {@link ByteSource}: one opcode per {@link #next()}, its argument
 * decoded into the public-to-the-package fields, without allocating per opcode except for kept
 * strings. Large byte payloads are skipped, or kept up to a bound; their location in the source is
 * kept so a nested pickle can be scanned in place.
 *
 * <p>FRAME opcodes are checked against what follows: an opcode that crosses the declared end of
 * its frame, or a frame that starts inside another, is recorded in {@link #frameViolation} (CPython's
 * C and Python loaders disagree on such input, which hides payloads from naive parsers).
 */
final class PickleReader {
    private static final int BUFFER = 64 * 1024;
    /** CPython refuses int() of more digits than this (sys.int_info.default_max_str_digits). */
    private static final int MAX_INT_DIGITS = 4300;
    private static final int MAX_LINE = 1 << 20;
    /** Characters plus bytes of arguments a reader may keep in memory in total (strings, small byte payloads). */
    private static final long RETAIN_BUDGET = 48L << 20;
    private long retained;

    private final ByteSource source;
    private final long end;
    private final int maxKeptString;
    private final int maxKeptBytes;
    private final byte[] buf = new byte[BUFFER];
    private long bufStart;
    private int bufPos;
    private int bufLen;

    // Current opcode and its decoded argument.
    Opcode op;
    long offset;
    long longArg;
    BigInteger bigArg;
    double doubleArg;
    String strArg;
    String strArg2;
    boolean strTruncated;
    byte[] bytesArg;
    long bytesLength;
    long bytesOffset;
    boolean boolArg;
    boolean isBool;

    // Framing.
    private long frameEnd = -1;
    String frameViolation;
    long frameViolationOffset;
    /** A FRAME longer than the rest of the data (reported at STOP: a merely truncated file never gets there). */
    String overlongFrame;
    long overlongFrameOffset;
    /**
     * For an opcode that crosses its frame's end: the read that does not fit in the frame, which a
     * frame-buffering reader restarts at the frame end (dropping the rest of the frame), else -1.
     */
    long straddleReadStart = -1;
    long straddleFrameEnd = -1;
    /** Start of a length-prefixed payload of the current opcode, or -1. */
    private long payloadStart;

    PickleReader(ByteSource source, long start, int maxKeptString, int maxKeptBytes) {
        this.source = source;
        this.end = source.size();
        this.maxKeptString = maxKeptString;
        this.maxKeptBytes = maxKeptBytes;
        this.bufStart = start;
    }

    long position() {
        return bufStart + bufPos;
    }

    boolean atEnd() throws IOException {
        return position() >= end;
    }

    long size() {
        return end;
    }

    ByteSource source() {
        return source;
    }

    /** End offset of the frame in force, or -1. */
    long frameEnd() {
        return frameEnd;
    }

    /** Moves to an absolute position (used to skip raw array data that follows an opcode). */
    void seek(long position) {
        if (position >= bufStart && position <= bufStart + bufLen) {
            bufPos = (int) (position - bufStart);
        } else {
            bufStart = position;
            bufPos = 0;
            bufLen = 0;
        }
    }

    /** Reads the next opcode and its argument. Throws at end of data or on a bad opcode. */
    Opcode next() throws IOException {
        frameViolation = null;
        straddleReadStart = -1;
        payloadStart = -1;
        offset = position();
        if (frameEnd >= 0 && offset >= frameEnd) frameEnd = -1;
        int b = u1orEof("pickle data was truncated (no STOP opcode)");
        Opcode o = Opcode.of(b);
        if (o == null) {
            throw new PickleFormatException("pickle-invalid-opcode", offset,
                    String.format("invalid load key (opcode) 0x%02x at offset %d", b, offset));
        }
        op = o;
        readArg(o);
        long after = position();
        if (o == Opcode.FRAME) {
            if (frameEnd >= 0 && offset < frameEnd) {
                frameViolation = "a new FRAME starts at offset " + offset + " before the frame ending at " + frameEnd;
                frameViolationOffset = offset;
                if (longArg > frameEnd - after) {
                    // The C unpickler reading a file has the outer frame in its buffer; an inner frame longer than
                    // what is left of it is read afresh from the file, i.e. from the outer frame's end: the bytes
                    // in between are skipped. That reading is scanned as a view.
                    straddleReadStart = after;
                    straddleFrameEnd = frameEnd;
                }
            }
            if (longArg < 0 || longArg > end - after) {
                // CPython's C unpickler refuses this; the pure-Python pickle._Unpickler (joblib.load,
                // torch.package) reads the short frame and runs its opcodes. Report and go on.
                overlongFrame = "FRAME at offset " + offset + " declares " + Long.toUnsignedString(longArg) + " bytes but only "
                        + (end - after) + " follow";
                overlongFrameOffset = offset;
                frameEnd = end;
            } else {
                frameEnd = after + longArg;
            }
        } else if (frameEnd >= 0 && offset < frameEnd && after > frameEnd) {
            frameViolation = op + " at offset " + offset + " crosses the end of its FRAME at " + frameEnd
                    + " (its argument runs to " + after + ")";
            frameViolationOffset = offset;
            straddleFrameEnd = frameEnd;
            long argStart = offset + 1;
            if (frameEnd <= argStart) {
                straddleReadStart = offset;
            } else if (payloadStart < 0 || frameEnd <= payloadStart) {
                straddleReadStart = argStart;
            } else {
                straddleReadStart = payloadStart;
            }
            frameEnd = -1;
        }
        return o;
    }

    private void readArg(Opcode o) throws IOException {
        switch (o.arg) {
            case NONE -> { }
            case U1 -> longArg = u1();
            case U2 -> longArg = u1() | (u1() << 8);
            case I4 -> longArg = i4();
            case U4 -> longArg = i4() & 0xFFFFFFFFL;
            case U8 -> longArg = u8();
            case F8BE -> {
                long bits = 0;
                for (int i = 0; i < 8; i++) bits = (bits << 8) | u1();
                doubleArg = Double.longBitsToDouble(bits);
            }
            case LINE_INT -> readIntLine(o);
            case LINE_LONG -> readLongLine();
            case LINE_FLOAT -> readFloatLine();
            case LINE_QUOTED -> readQuotedLine();
            case LINE_UNICODE -> {
                byte[] line = readLine();
                strArg = keep(PyStrings.rawUnicodeEscape(line, 0, line.length));
            }
            case LINE_STRING_RAW -> {
                byte[] line = readLine();
                strArg = keep(new String(line, StandardCharsets.ISO_8859_1));
            }
            case TWO_LINES -> {
                byte[] m = readLine();
                byte[] n = readLine();
                strArg = keep(new String(m, StandardCharsets.UTF_8));
                strArg2 = keep(new String(n, StandardCharsets.UTF_8));
            }
            case STR_U1 -> readText(u1(), StandardCharsets.ISO_8859_1);
            case STR_I4 -> {
                long n = i4();
                if (n < 0) throw new PickleFormatException("pickle-negative-length", offset, "BINSTRING pickle has negative byte count");
                readText(n, StandardCharsets.ISO_8859_1);
            }
            case UTF8_U1 -> readText(u1(), StandardCharsets.UTF_8);
            case UTF8_U4 -> readText(i4() & 0xFFFFFFFFL, StandardCharsets.UTF_8);
            case UTF8_U8 -> readText(u8(), StandardCharsets.UTF_8);
            case BYTES_U1 -> readBytes(u1());
            case BYTES_U4 -> readBytes(i4() & 0xFFFFFFFFL);
            case BYTES_U8 -> readBytes(u8());
            case LONG_U1 -> readLongBytes(u1());
            case LONG_I4 -> {
                long n = i4();
                if (n < 0) throw new PickleFormatException("pickle-negative-length", offset, "LONG pickle has negative byte count");
                readLongBytes(n);
            }
        }
    }

    /**
     * Keeps a string within the per-reader budget: once {@link #RETAIN_BUDGET} characters are held,
     * only short prefixes are kept (module and attribute names are short; evidence needs no more).
     */
    private String keep(String s) {
        int max = retained > RETAIN_BUDGET ? 64 : maxKeptString;
        strTruncated = s.length() > max;
        String kept = strTruncated ? s.substring(0, max) : s;
        retained += kept.length();
        return kept;
    }

    private void readText(long n, java.nio.charset.Charset cs) throws IOException {
        checkLength(n);
        payloadStart = position();
        long keepBytes = Math.min(n, (long) maxKeptString * 4);
        byte[] b = new byte[(int) keepBytes];
        readFully(b);
        if (n > keepBytes) skip(n - keepBytes);
        String s = new String(b, cs);
        strArg = keep(s);
        strTruncated |= n > keepBytes;
        bytesLength = n;
    }

    private void readBytes(long n) throws IOException {
        checkLength(n);
        payloadStart = position();
        bytesOffset = position();
        bytesLength = n;
        if (n <= maxKeptBytes && retained + n <= RETAIN_BUDGET) {
            bytesArg = new byte[(int) n];
            readFully(bytesArg);
            retained += n;
        } else {
            bytesArg = null;
            skip(n);
        }
    }

    private void readLongBytes(long n) throws IOException {
        checkLength(n);
        payloadStart = position();
        if (n == 0) {
            longArg = 0;
            bigArg = null;
            return;
        }
        if (n > 4096) {
            skip(n);
            bigArg = BigInteger.ZERO;
            strArg = "<" + n + "-byte integer>";
            return;
        }
        byte[] le = new byte[(int) n];
        readFully(le);
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        if (v.bitLength() < 64) {
            longArg = v.longValue();
            bigArg = null;
        } else {
            bigArg = v;
        }
    }

    private void checkLength(long n) throws PickleFormatException {
        long remaining = end - position();
        if (n < 0 || n > remaining) {
            throw new PickleFormatException("pickle-truncated", offset, op + " declares " + Long.toUnsignedString(n)
                    + " bytes but only " + remaining + " remain");
        }
    }

    private void readIntLine(Opcode o) throws IOException {
        byte[] line = readLine();
        String s = new String(line, StandardCharsets.ISO_8859_1);
        isBool = false;
        bigArg = null;
        if (o == Opcode.INT && (s.equals("00") || s.equals("01"))) {
            isBool = true;
            boolArg = s.equals("01");
            return;
        }
        parseInteger(s.strip(), o == Opcode.INT ? "INT" : o.name());
    }

    private void readLongLine() throws IOException {
        byte[] line = readLine();
        String s = new String(line, StandardCharsets.ISO_8859_1).strip();
        if (s.endsWith("L")) s = s.substring(0, s.length() - 1);
        bigArg = null;
        parseInteger(s, "LONG");
    }

    private void parseInteger(String s, String what) throws PickleFormatException {
        String digits = s.replace("_", "");
        if (digits.length() > MAX_INT_DIGITS) {
            throw new PickleFormatException("pickle-bad-argument", offset, what + " literal has more than " + MAX_INT_DIGITS + " digits");
        }
        try {
            BigInteger v = new BigInteger(digits.startsWith("+") ? digits.substring(1) : digits);
            if (v.bitLength() < 64) {
                longArg = v.longValue();
            } else {
                bigArg = v;
            }
        } catch (NumberFormatException e) {
            throw new PickleFormatException("pickle-bad-argument", offset, what + " argument is not an integer: '" + PyStrings.shorten(s, 40) + "'");
        }
    }

    private void readFloatLine() throws IOException {
        String s = new String(readLine(), StandardCharsets.ISO_8859_1).strip();
        try {
            doubleArg = PyStrings.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new PickleFormatException("pickle-bad-argument", offset, "FLOAT argument is not a number: '" + PyStrings.shorten(s, 40) + "'");
        }
    }

    private void readQuotedLine() throws IOException {
        byte[] line = readLine();
        int len = line.length;
        // CPython strips trailing whitespace only via the quote check: the data must be quoted.
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ')) len--;
        if (len < 2 || line[0] != line[len - 1] || (line[0] != '\'' && line[0] != '"')) {
            throw new PickleFormatException("pickle-bad-argument", offset, "the STRING opcode argument must be quoted");
        }
        byte[] decoded = PyStrings.escapeDecode(line, 1, len - 1);
        String s = new String(decoded, StandardCharsets.ISO_8859_1);
        strArg = keep(s);
        bytesArg = decoded.length <= maxKeptBytes ? decoded : null;
        bytesLength = decoded.length;
    }

    /** A line without its final '\n' (CPython keeps a '\r'). */
    private byte[] readLine() throws IOException {
        java.io.ByteArrayOutputStream out = null;
        while (true) {
            if (bufPos >= bufLen && !fill()) {
                throw new PickleFormatException("pickle-truncated", offset, op + " argument is missing its end of line");
            }
            int start = bufPos;
            int i = start;
            while (i < bufLen && buf[i] != '\n') i++;
            if (i < bufLen) {
                bufPos = i + 1;
                if (out == null) return java.util.Arrays.copyOfRange(buf, start, i);
                out.write(buf, start, i - start);
                return out.toByteArray();
            }
            if (out == null) out = new java.io.ByteArrayOutputStream();
            out.write(buf, start, i - start);
            bufPos = i;
            if (out.size() > MAX_LINE) {
                throw new PickleFormatException("pickle-bad-argument", offset, op + " argument line longer than " + MAX_LINE + " bytes");
            }
        }
    }

    int u1() throws IOException {
        if (bufPos >= bufLen && !fill()) {
            throw new PickleFormatException("pickle-truncated", offset, "pickle data was truncated inside " + op + " at offset " + position());
        }
        return buf[bufPos++] & 0xFF;
    }

    private int u1orEof(String message) throws IOException {
        if (bufPos >= bufLen && !fill()) throw new PickleFormatException("pickle-truncated", offset, message);
        return buf[bufPos++] & 0xFF;
    }

    private int i4() throws IOException {
        return u1() | (u1() << 8) | (u1() << 16) | (u1() << 24);
    }

    private long u8() throws IOException {
        long lo = i4() & 0xFFFFFFFFL;
        long hi = i4() & 0xFFFFFFFFL;
        return lo | (hi << 32);
    }

    void readFully(byte[] dst) throws IOException {
        int done = 0;
        while (done < dst.length) {
            if (bufPos >= bufLen && !fill()) {
                throw new PickleFormatException("pickle-truncated", offset, "pickle data was truncated inside " + op);
            }
            int n = Math.min(dst.length - done, bufLen - bufPos);
            System.arraycopy(buf, bufPos, dst, done, n);
            bufPos += n;
            done += n;
        }
    }

    void skip(long n) throws IOException {
        long target = position() + n;
        if (target > end) {
            throw new PickleFormatException("pickle-truncated", offset, "pickle data was truncated: " + n + " bytes needed at " + position());
        }
        seek(target);
    }

    private boolean fill() throws IOException {
        long pos = bufStart + bufPos;
        if (pos >= end) return false;
        bufStart = pos;
        bufPos = 0;
        int n = source.read(pos, buf, 0, buf.length);
        bufLen = Math.max(0, n);
        return bufLen > 0;
    }
}
