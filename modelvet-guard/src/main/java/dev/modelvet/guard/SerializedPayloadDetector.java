package dev.modelvet.guard;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Recognises serialized-object payloads from their first bytes: Java serialization ({@code AC ED 00 05},
 * base64 {@code rO0AB}), Python pickle (protocol 2-5 header, or a protocol-0 {@code c<module>\n}
 * import), .NET BinaryFormatter ({@code 00 01 00 00 00 FF FF FF FF}, base64 {@code AAEAAAD/////}), the
 * same behind gzip, and base64 with a URL-safe alphabet or leading whitespace.
 */
public final class SerializedPayloadDetector {
    /** Bytes a caller should offer. */
    public static final int PEEK = 64;

    public enum Kind { JAVA_SERIALIZATION, PYTHON_PICKLE, DOTNET_BINARYFORMATTER }

    private SerializedPayloadDetector() {
    }

    public static Optional<Kind> detect(byte[] b, int len) {
        int s = 0;
        while (s < len && (b[s] == ' ' || b[s] == '\n' || b[s] == '\r' || b[s] == '\t' || b[s] == '"')) s++;
        int n = len - s;
        if (n >= 4 && (b[s] & 0xFF) == 0xAC && (b[s + 1] & 0xFF) == 0xED && b[s + 2] == 0 && b[s + 3] == 5) {
            return Optional.of(Kind.JAVA_SERIALIZATION);
        }
        if (n >= 9 && b[s] == 0 && b[s + 1] == 1 && b[s + 2] == 0 && b[s + 3] == 0 && b[s + 4] == 0
                && (b[s + 5] & 0xFF) == 0xFF && (b[s + 6] & 0xFF) == 0xFF && (b[s + 7] & 0xFF) == 0xFF && (b[s + 8] & 0xFF) == 0xFF) {
            return Optional.of(Kind.DOTNET_BINARYFORMATTER);
        }
        if (n >= 3 && (b[s] & 0xFF) == 0x80 && b[s + 1] >= 2 && b[s + 1] <= 5) return Optional.of(Kind.PYTHON_PICKLE);
        String text = new String(b, s, n, StandardCharsets.ISO_8859_1);
        if (text.matches("(?s)c[A-Za-z_][\\w.]*\\n[A-Za-z_][\\w.]*\\n.*")) return Optional.of(Kind.PYTHON_PICKLE);
        String t = text.replace('-', '+').replace('_', '/');
        if (t.startsWith("rO0AB")) return Optional.of(Kind.JAVA_SERIALIZATION);
        if (t.startsWith("AAEAAAD/////")) return Optional.of(Kind.DOTNET_BINARYFORMATTER);
        if (t.startsWith("gAS") || t.startsWith("gAI") || t.startsWith("gAM") || t.startsWith("gAU")) return Optional.of(Kind.PYTHON_PICKLE);
        if (t.startsWith("H4sI") || (n >= 2 && (b[s] & 0xFF) == 0x1F && (b[s + 1] & 0xFF) == 0x8B)) return gunzipped(b, s, n, t);
        return Optional.empty();
    }

    private static Optional<Kind> gunzipped(byte[] b, int s, int n, String t) {
        byte[] raw;
        if (t.startsWith("H4sI")) {
            try {
                String clean = t.replaceAll("[^A-Za-z0-9+/=]", "");
                raw = java.util.Base64.getDecoder().decode(clean.substring(0, clean.length() / 4 * 4));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        } else {
            raw = java.util.Arrays.copyOfRange(b, s, s + n);
        }
        byte[] head = new byte[PEEK];
        int got = 0;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            int r;
            while (got < head.length && (r = in.read(head, got, head.length - got)) > 0) got += r;
        } catch (IOException e) {
            // truncated: judge what was inflated
        }
        return got > 0 && !(got >= 2 && (head[0] & 0xFF) == 0x1F) ? detect(head, got) : Optional.empty();
    }
}
