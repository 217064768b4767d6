package dev.modelvet.format.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.modelvet.detect.Head;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * safetensors: validated the way the reference reader validates, and stricter (duplicate keys are
 * refused, a parser differential between JSON libraries). Tensor data is never read; bytes after
 * the last tensor (a polyglot) are handed back to detection.
 */
public final class SafetensorsScanner implements FormatScanner {
    /** The reference reader's MAX_HEADER_SIZE. */
    static final long MAX_HEADER = 100_000_000L;
    /** dtype name to bits per element (safetensors Dtype enum, including the 2025-2026 additions). */
    static final Map<String, Integer> DTYPE_BITS = Map.ofEntries(
            Map.entry("BOOL", 8), Map.entry("F4", 4), Map.entry("F6_E2M3", 6), Map.entry("F6_E3M2", 6),
            Map.entry("U8", 8), Map.entry("I8", 8), Map.entry("F8_E5M2", 8), Map.entry("F8_E4M3", 8),
            Map.entry("F8_E8M0", 8), Map.entry("F8_E4M3FNUZ", 8), Map.entry("F8_E5M2FNUZ", 8),
            Map.entry("I16", 16), Map.entry("U16", 16), Map.entry("F16", 16), Map.entry("BF16", 16),
            Map.entry("I32", 32), Map.entry("U32", 32), Map.entry("F32", 32), Map.entry("C64", 64),
            Map.entry("F64", 64), Map.entry("I64", 64), Map.entry("U64", 64));
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // tensor names are all distinct: interning them would only grow a symbol table
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(32)
                    .maxStringLength(1 << 24).build())
            .build();

    @Override
    public String format() {
        return "safetensors";
    }

    @Override
    public boolean detect(Head head) {
        if (head.length() < 9) return false;
        long n = le64(head.bytes(), 0);
        if (n < 2 || n > MAX_HEADER || n + 8 > head.size()) return false;
        int i = 8;
        while (i < head.length() && i < 8 + n && (head.at(i) == ' ' || head.at(i) == '\n' || head.at(i) == '\r' || head.at(i) == '\t')) i++;
        return head.at(i) == '{';
    }

    private record Tensor(String name, String dtype, long begin, long end) { }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        ByteSource src = artifact.source();
        long n = le64(head.bytes(), 0);
        long bufferLength = src.size() - 8 - n;
        byte[] raw = src.readAt(8, (int) n);
        if (!validUtf8(raw)) {
            ctx.error(artifact, 8, "safetensors-invalid-header", "safetensors header is not valid UTF-8");
            return;
        }
        List<Tensor> tensors = new ArrayList<>();
        // Parsed from the bytes: Jackson checks the UTF-8 itself, and no second copy of a large header is made.
        try (JsonParser p = JSON.createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw invalid("the header is not a JSON object");
            Set<String> metadataSeen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("__metadata__")) {
                    if (!metadataSeen.add(name)) throw invalid("duplicate __metadata__");
                    metadata(p, artifact, ctx);
                } else {
                    tensors.add(tensor(name, p));
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) throw invalid("text after the header object");
        } catch (Invalid e) {
            ctx.error(artifact, 8, "safetensors-invalid-header", "safetensors: " + e.getMessage());
            return;
        } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
            ctx.error(artifact, 8, "safetensors-invalid-header", "safetensors header: JSON ends early");
            return;
        } catch (JsonParseException e) {
            String m = e.getOriginalMessage();
            String code = m.startsWith("Duplicate field") ? "safetensors-duplicate-key" : "safetensors-invalid-header";
            if (m.contains("UTF-8") || m.contains("UTF8")) m = "header is not valid UTF-8 (" + m + ")";
            ctx.error(artifact, 8, code, "safetensors header: " + m.replace('\n', ' '));
            return;
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            ctx.error(artifact, 8, "safetensors-invalid-header", "safetensors header exceeds parser limits: " + e.getOriginalMessage());
            return;
        }
        tensors.sort(Comparator.comparingLong(Tensor::begin).thenComparingLong(Tensor::end));
        long expected = 0;
        for (Tensor t : tensors) {
            if (t.begin() != expected) {
                String what = t.begin() < expected ? "overlaps the previous tensor" : "leaves a gap of " + (t.begin() - expected) + " bytes";
                ctx.error(artifact, 8, "safetensors-invalid-offsets", "safetensors tensor '" + t.name() + "' " + what
                        + " (offsets must be contiguous from 0)");
                return;
            }
            expected = t.end();
        }
        if (expected > bufferLength) {
            ctx.error(artifact, 8 + n, "safetensors-truncated", "safetensors data ends at " + bufferLength
                    + " bytes but the header needs " + expected);
            return;
        }
        if (expected < bufferLength) {
            long extra = bufferLength - expected;
            ctx.finding(artifact, 8 + n + expected, "safetensors-trailing-data", Severity.MEDIUM,
                    extra + " bytes after the last tensor (the reference reader refuses this file: a polyglot?)", "", "");
            ctx.scanChild(artifact.child("<after-tensors>", src.slice(8 + n + expected, extra)));
            return;
        }
        ctx.finding(artifact, 0, "safetensors-safe-format", Severity.INFO,
                "safetensors: " + tensors.size() + " tensors, header valid; the format cannot run code", "", "");
    }

    private static void metadata(JsonParser p, Artifact artifact, ScanContext ctx) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return;
        if (p.currentToken() != JsonToken.START_OBJECT) throw invalid("__metadata__ must be an object of strings");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) throw invalid("__metadata__ value of '" + key + "' is not a string");
        }
    }

    private static Tensor tensor(String name, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) throw invalid("entry '" + name + "' is not an object");
        String dtype = null;
        List<Long> shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "dtype" -> {
                    if (v != JsonToken.VALUE_STRING) throw invalid("dtype of '" + name + "' is not a string");
                    dtype = p.getText();
                    if (!DTYPE_BITS.containsKey(dtype)) throw invalid("unknown dtype '" + dtype + "' for tensor '" + name + "'");
                }
                case "shape" -> shape = longs(p, name, "shape", -1);
                case "data_offsets" -> {
                    List<Long> o = longs(p, name, "data_offsets", 2);
                    offsets = new long[] {o.get(0), o.get(1)};
                }
                default -> p.skipChildren(); // extra keys are accepted by the reference reader
            }
        }
        if (dtype == null || shape == null || offsets == null) throw invalid("tensor '" + name + "' lacks dtype, shape or data_offsets");
        if (offsets[1] < offsets[0]) throw invalid("tensor '" + name + "' ends before it begins");
        long bits = DTYPE_BITS.get(dtype);
        long elements = 1;
        try {
            for (long d : shape) elements = Math.multiplyExact(elements, d);
            long totalBits = Math.multiplyExact(elements, bits);
            if (totalBits % 8 != 0) throw invalid("tensor '" + name + "' does not fill whole bytes (" + totalBits + " bits)");
            if (totalBits / 8 != offsets[1] - offsets[0]) {
                throw invalid("tensor '" + name + "' is " + (offsets[1] - offsets[0]) + " bytes but " + dtype + " " + shape
                        + " needs " + totalBits / 8);
            }
        } catch (ArithmeticException e) {
            throw invalid("tensor '" + name + "' size overflows");
        }
        return new Tensor(name, dtype, offsets[0], offsets[1]);
    }

    private static List<Long> longs(JsonParser p, String name, String field, int exact) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) throw invalid(field + " of '" + name + "' is not an array");
        List<Long> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
                throw invalid(field + " of '" + name + "' must hold non-negative integers");
            }
            out.add(p.getLongValue());
            if (out.size() > 64) throw invalid(field + " of '" + name + "' has too many entries");
        }
        if (exact >= 0 && out.size() != exact) throw invalid(field + " of '" + name + "' must have " + exact + " entries");
        return out;
    }

    private static final class Invalid extends IOException {
        Invalid(String m) {
            super(m);
        }
    }

    private static Invalid invalid(String m) {
        return new Invalid(m);
    }

    /** Strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF), without decoding to a String. */
    static boolean validUtf8(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            int n;
            int min;
            if (c < 0x80) {
                i++;
                continue;
            } else if (c >= 0xC2 && c <= 0xDF) {
                n = 1;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                n = 2;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                n = 3;
                min = 0x10000;
            } else {
                return false;
            }
            int cp = c & (0x3F >> n);
            for (int k = 1; k <= n; k++) {
                if (i + k >= b.length) return false;
                int x = b[i + k] & 0xFF;
                if ((x & 0xC0) != 0x80) return false;
                cp = (cp << 6) | (x & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
            i += n + 1;
        }
        return true;
    }

    static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xFF);
        return v;
    }
}
