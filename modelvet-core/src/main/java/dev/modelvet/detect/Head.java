package dev.modelvet.detect;

import dev.modelvet.scan.ByteSource;
import java.io.IOException;

/**
 * The first bytes of an artifact plus random access to the rest, for content detection.
 *
 * @param bytes    up to {@link #HEAD_SIZE} leading bytes
 * @param size     total size
 * @param source   the whole artifact, for detectors that look at the end (zip central directory)
 * @param fileName only a hint, recorded in findings; detection never depends on it
 */
public record Head(byte[] bytes, long size, ByteSource source, String fileName) {
    public static final int HEAD_SIZE = 64 * 1024;

    public static Head read(ByteSource source, String fileName) throws IOException {
        return new Head(source.readAt(0, HEAD_SIZE), source.size(), source, fileName);
    }

    public int length() {
        return bytes.length;
    }

    /** Unsigned byte at {@code i}, or -1 past the head. */
    public int at(int i) {
        return i < bytes.length ? bytes[i] & 0xFF : -1;
    }

    public boolean startsWith(byte... magic) {
        return startsWith(0, magic);
    }

    public boolean startsWith(int offset, byte... magic) {
        if (offset + magic.length > bytes.length) return false;
        for (int i = 0; i < magic.length; i++) {
            if (bytes[offset + i] != magic[i]) return false;
        }
        return true;
    }

    public boolean startsWithAscii(String magic) {
        return startsWith(0, magic.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /**
     * Whether the first {@code n} bytes read as text: no NUL and no control characters other than
     * tab, line breaks, form feed and escape. Text formats (YAML, templates, source) test this first.
     */
    public boolean looksLikeText(int n) {
        if (bytes.length == 0) return false;
        for (int i = 0; i < Math.min(bytes.length, n); i++) {
            int c = bytes[i] & 0xFF;
            if (c == 0 || c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1B)) return false;
        }
        return true;
    }

    /**
     * Whether {@code pattern} matches the text (read as ISO-8859-1) of the first {@code max} bytes: the
     * head, then the rest of the source in overlapping chunks, so that a marker placed past the head
     * (a payload at the end of a long YAML or JSON file) is still seen. Matches must be shorter than 256 bytes.
     */
    public boolean find(java.util.regex.Pattern pattern, long max) {
        if (pattern.matcher(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)).find()) return true;
        if (size <= bytes.length || source == null) return false;
        int overlap = 256;
        byte[] buf = new byte[256 * 1024];
        long end = Math.min(size, max);
        try {
            for (long pos = Math.max(0, bytes.length - overlap); pos < end; pos += buf.length - overlap) {
                int n = source.read(pos, buf, 0, (int) Math.min(buf.length, end - pos));
                if (n <= 0) return false;
                if (pattern.matcher(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1)).find()) return true;
                if (pos + n >= end) return false;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** A short printable description of the leading bytes, for "skipped" reports. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(16, bytes.length);
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xFF;
            sb.append(String.format("%02x", b));
            if (i + 1 < n) sb.append(' ');
        }
        return sb.toString();
    }
}
