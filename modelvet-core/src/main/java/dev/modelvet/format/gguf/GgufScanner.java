package dev.modelvet.format.gguf;

import dev.modelvet.detect.Head;
import dev.modelvet.format.jinja.ChatTemplates;
import dev.modelvet.format.jinja.TemplateAnalyzer;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * GGUF (llama.cpp) files, v1 to v3: header, every metadata value type, tensor infos, alignment and
 * the checks ggml's reader makes (counts and lengths against the bytes left, duplicate keys and tensor
 * names, dimensions, type ids, sequential aligned offsets, overflow). Chat templates are judged for
 * template injection. Tensor data is never read.
 */
public final class GgufScanner implements FormatScanner {
    private static final long MAX_STRING = 1L << 30;
    private static final long MAX_ARRAY = 1L << 30;
    /** ggml_type id to {block elements, bytes per block}; 0 marks removed ids. */
    private static final int[][] TYPES = {
            {1, 4}, {1, 2}, {32, 18}, {32, 20}, {0, 0}, {0, 0}, {32, 22}, {32, 24}, {32, 34}, {32, 36},
            {256, 84}, {256, 110}, {256, 144}, {256, 176}, {256, 210}, {256, 292}, {256, 66}, {256, 74}, {256, 98}, {256, 50},
            {32, 18}, {256, 110}, {256, 82}, {256, 136}, {1, 1}, {1, 2}, {1, 4}, {1, 8}, {1, 8}, {256, 56},
            {1, 2}, {0, 0}, {0, 0}, {0, 0}, {256, 54}, {256, 66}, {0, 0}, {0, 0}, {0, 0}, {32, 17},
            {64, 36}, {128, 18}, {64, 18}};

    @Override
    public String format() {
        return "gguf";
    }

    @Override
    public boolean detect(Head head) {
        return head.startsWithAscii("GGUF");
    }

    private static final class Bad extends IOException {
        final long offset;

        Bad(long offset, String m) {
            super(m);
            this.offset = offset;
        }
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        Reader r = new Reader(artifact.source());
        try {
            read(artifact, r, ctx);
        } catch (Bad e) {
            ctx.error(artifact, e.offset, "gguf-malformed", "GGUF: " + e.getMessage());
        }
    }

    private void read(Artifact artifact, Reader r, ScanContext ctx) throws IOException {
        r.pos = 4;
        long version = r.u32();
        if (version == 0 || (version & 0xFFFF) == 0) throw new Bad(4, "version " + version + " (byte-swapped or invalid)");
        if (version > 3) throw new Bad(4, "unsupported version " + version);
        boolean v1 = version == 1;
        long tensors = v1 ? r.u32() : r.u64();
        long kvs = v1 ? r.u32() : r.u64();
        if (tensors < 0 || kvs < 0 || tensors > r.remaining() / 8 || kvs > r.remaining() / 8) {
            throw new Bad(8, "tensor count " + Long.toUnsignedString(tensors) + " or key count " + Long.toUnsignedString(kvs) + " exceeds the file");
        }
        Set<String> keys = new HashSet<>();
        long alignment = 32;
        int templates = 0;
        for (long i = 0; i < kvs; i++) {
            long at = r.pos;
            String key = r.string(v1);
            if (key.isEmpty()) throw new Bad(at, "empty metadata key");
            if (!keys.add(key)) throw new Bad(at, "duplicate metadata key '" + key + "'");
            int type = (int) r.u32();
            if (key.equals("general.alignment")) {
                if (type != 4) throw new Bad(at, "general.alignment must be UINT32");
                alignment = r.u32();
                if (alignment == 0 || Long.bitCount(alignment) != 1) throw new Bad(at, "general.alignment " + alignment + " is not a power of two");
                continue;
            }
            if (type == 8) {
                long vat = r.pos;
                String value = r.string(v1);
                if (key.startsWith("tokenizer.chat_template") || TemplateAnalyzer.looksLikeTemplate(value)) {
                    templates++;
                    ChatTemplates.report(artifact, vat, "GGUF metadata '" + key + "'", value, ctx);
                }
            } else {
                r.skipValue(type, v1, false, at);
            }
        }
        Set<String> names = new HashSet<>();
        long expected = 0;
        boolean sequential = true;
        long dataEnd = 0;
        for (long i = 0; i < tensors; i++) {
            long at = r.pos;
            String name = r.string(v1);
            if (name.getBytes(StandardCharsets.UTF_8).length >= 64) throw new Bad(at, "tensor name longer than 63 bytes");
            if (!names.add(name)) throw new Bad(at, "duplicate tensor name '" + name + "'");
            long dims = r.u32();
            if (dims > 4) throw new Bad(at, "tensor '" + name + "' has " + dims + " dimensions (at most 4)");
            long elements = 1;
            long ne0 = 1;
            for (int d = 0; d < dims; d++) {
                long n = v1 ? r.u32() : r.u64();
                if (n < 0) throw new Bad(at, "tensor '" + name + "' has a negative dimension");
                if (d == 0) ne0 = n;
                try {
                    elements = Math.multiplyExact(elements, n);
                } catch (ArithmeticException e) {
                    throw new Bad(at, "tensor '" + name + "' element count overflows");
                }
            }
            long type = r.u32();
            long offset = r.u64();
            long bytes = -1;
            if (type < TYPES.length && TYPES[(int) type][0] > 0) {
                int blk = TYPES[(int) type][0];
                if (ne0 % blk != 0) throw new Bad(at, "tensor '" + name + "' row of " + ne0 + " is not a multiple of its block size " + blk);
                try {
                    bytes = Math.multiplyExact(elements / blk, (long) TYPES[(int) type][1]);
                } catch (ArithmeticException e) {
                    throw new Bad(at, "tensor '" + name + "' byte size overflows");
                }
            } else if (type >= TYPES.length) {
                ctx.finding(artifact, at, "gguf-unknown-tensor-type", Severity.LOW,
                        "tensor '" + name + "' has type id " + type + ", unknown to this reader (newer ggml?)", "", "");
                sequential = false;
            } else {
                throw new Bad(at, "tensor '" + name + "' uses removed type id " + type);
            }
            if (sequential) {
                if (offset != expected) throw new Bad(at, "tensor '" + name + "' offset " + offset + " is not the expected " + expected + " (offsets must be sequential)");
                expected = align(offset + bytes, alignment);
                dataEnd = offset + bytes;
            }
        }
        long dataStart = align(r.pos, alignment);
        if (sequential && tensors > 0 && dataStart + dataEnd > r.size) {
            throw new Bad(r.pos, "tensor data needs " + (dataStart + dataEnd) + " bytes, the file has " + r.size);
        }
        ctx.finding(artifact, 0, "gguf-format", Severity.INFO, "GGUF v" + version + ": " + kvs + " metadata keys, " + tensors
                + " tensors" + (templates > 0 ? ", " + templates + " template(s) analysed" : ""), "", "");
    }

    private static long align(long x, long a) {
        return x + (a - x % a) % a;
    }

    /** Little-endian reads over a source with a small buffer; every length checked against what is left. */
    private static final class Reader {
        private final ByteSource src;
        final long size;
        long pos;
        private final byte[] buf = new byte[8];

        Reader(ByteSource src) {
            this.src = src;
            this.size = src.size();
        }

        long remaining() {
            return size - pos;
        }

        private void need(long n) throws Bad {
            if (n < 0 || n > size - pos) throw new Bad(pos, "data ends early (need " + n + " bytes at " + pos + ")");
        }

        long u32() throws IOException {
            need(4);
            src.readFully(pos, buf, 0, 4);
            pos += 4;
            return (buf[0] & 0xFFL) | (buf[1] & 0xFFL) << 8 | (buf[2] & 0xFFL) << 16 | (buf[3] & 0xFFL) << 24;
        }

        long u64() throws IOException {
            long lo = u32();
            long hi = u32();
            return lo | hi << 32;
        }

        String string(boolean v1) throws IOException {
            long at = pos;
            long n = v1 ? u32() : u64();
            if (n < 0 || n > MAX_STRING) throw new Bad(at, "string length " + Long.toUnsignedString(n) + " exceeds 2^30");
            need(n);
            int keep = (int) Math.min(n, 4L << 20);
            byte[] b = new byte[keep];
            src.readFully(pos, b, 0, keep);
            pos += n;
            return new String(b, StandardCharsets.UTF_8);
        }

        void skipValue(int type, boolean v1, boolean inArray, long at) throws IOException {
            switch (type) {
                case 0, 1, 7 -> skip(1);
                case 2, 3 -> skip(2);
                case 4, 5, 6 -> skip(4);
                case 10, 11, 12 -> skip(8);
                case 8 -> {
                    long n = v1 ? u32() : u64();
                    if (n < 0 || n > MAX_STRING) throw new Bad(at, "string length exceeds 2^30");
                    skip(n);
                }
                case 9 -> {
                    if (inArray) throw new Bad(at, "nested arrays are not accepted");
                    int elem = (int) u32();
                    long count = v1 ? u32() : u64();
                    if (count < 0 || count > MAX_ARRAY || count > remaining()) throw new Bad(at, "array of " + Long.toUnsignedString(count) + " elements exceeds the file");
                    if (elem == 9) throw new Bad(at, "nested arrays are not accepted");
                    int width = switch (elem) {
                        case 0, 1, 7 -> 1;
                        case 2, 3 -> 2;
                        case 4, 5, 6 -> 4;
                        case 10, 11, 12 -> 8;
                        default -> -1;
                    };
                    if (width > 0) {
                        skip(count * width);
                    } else if (elem == 8) {
                        for (long i = 0; i < count; i++) skipValue(8, v1, true, at);
                    } else {
                        throw new Bad(at, "unknown array element type " + elem);
                    }
                }
                default -> throw new Bad(at, "unknown value type " + type);
            }
        }

        private void skip(long n) throws Bad {
            need(n);
            pos += n;
        }
    }
}
