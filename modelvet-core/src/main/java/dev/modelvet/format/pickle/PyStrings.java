package dev.modelvet.format.pickle;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/** Python's text codecs and literal syntax as the pickle loader applies them. */
final class PyStrings {
    private PyStrings() {
    }

    /** {@code codecs.escape_decode}: the STRING opcode's quoted argument. Unknown escapes stay literal. */
    static byte[] escapeDecode(byte[] s, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        int i = from;
        while (i < to) {
            int c = s[i++] & 0xFF;
            if (c != '\\' || i >= to) {
                out.write(c);
                continue;
            }
            int e = s[i++] & 0xFF;
            switch (e) {
                case '\n' -> { }
                case '\\' -> out.write('\\');
                case '\'' -> out.write('\'');
                case '"' -> out.write('"');
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(11);
                case 'x' -> {
                    int v = hex(s, i, Math.min(to, i + 2), 2);
                    if (v >= 0) {
                        out.write(v);
                        i += 2;
                    } else {
                        out.write('\\');
                        out.write('x');
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && i < to && s[i] >= '0' && s[i] <= '7'; k++) v = v * 8 + (s[i++] - '0');
                        out.write(v & 0xFF);
                    } else {
                        out.write('\\');
                        out.write(e);
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** {@code raw_unicode_escape} decoding: only backslash-u and backslash-U escapes; other bytes are Latin-1. */
    static String rawUnicodeEscape(byte[] s, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int c = s[i] & 0xFF;
            if (c == '\\' && i + 1 < to && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
                // An odd number of backslashes before u makes an escape.
                int backslashes = 0;
                for (int k = i; k >= from && s[k] == '\\'; k--) backslashes++;
                int digits = s[i + 1] == 'u' ? 4 : 8;
                if (backslashes % 2 == 1 && i + 2 + digits <= to) {
                    int v = hex(s, i + 2, i + 2 + digits, digits);
                    if (v >= 0 && Character.isValidCodePoint(v)) {
                        sb.appendCodePoint(v);
                        i += 2 + digits;
                        continue;
                    }
                }
            }
            sb.append((char) c);
            i++;
        }
        return sb.toString();
    }

    private static int hex(byte[] s, int from, int to, int digits) {
        if (to - from < digits) return -1;
        long v = 0;
        for (int i = from; i < from + digits; i++) {
            int d = Character.digit(s[i], 16);
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /** Python float() syntax. */
    static double parseFloat(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT).replace("_", "");
        String sign = "";
        if (t.startsWith("+") || t.startsWith("-")) {
            sign = t.substring(0, 1);
            t = t.substring(1);
        }
        if (t.equals("inf") || t.equals("infinity")) return sign.equals("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (t.equals("nan")) return Double.NaN;
        if (t.isEmpty() || !t.matches("[0-9.e+\\-]+")) throw new NumberFormatException(s);
        return Double.parseDouble(sign + t);
    }

    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /** Python-style quoted repr of a string, truncated to {@code max} characters. */
    static String repr(String s, int max) {
        StringBuilder sb = new StringBuilder("'");
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\'' -> sb.append("\\'");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        if (s.length() > max) sb.append("...");
        return sb.append('\'').toString();
    }

    /** Python-style b'' repr of the first bytes. */
    static String bytesRepr(byte[] b, long length, int max) {
        if (b == null) return "<" + length + " bytes>";
        StringBuilder sb = new StringBuilder("b'");
        int n = Math.min(b.length, max);
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xFF;
            if (c == '\'' || c == '\\') sb.append('\\').append((char) c);
            else if (c >= 0x20 && c < 0x7f) sb.append((char) c);
            else if (c == '\n') sb.append("\\n");
            else sb.append(String.format("\\x%02x", c));
        }
        if (length > max) sb.append("...");
        return sb.append('\'').toString();
    }
}
