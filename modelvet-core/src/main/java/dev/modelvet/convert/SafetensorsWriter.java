package dev.modelvet.convert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes a spec-valid safetensors file: u64 little-endian header length, a JSON header padded with
 * spaces to a multiple of 8, then each tensor's bytes back to back in header order. The file is
 * written beside the target and moved into place, so a failure never leaves a partial output.
 */
final class SafetensorsWriter {
    private SafetensorsWriter() {
    }

    static void write(Path out, List<TensorSource> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        Path dir = out.toAbsolutePath().getParent();
        // Not Files.createTempFile: that makes the file owner-only, and the output should get the usual mode.
        Path tmp = dir.resolve("." + out.getFileName() + ".part-" + Long.toHexString(System.nanoTime()));
        try {
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), 1 << 20)) {
                long n = header.length;
                for (int i = 0; i < 8; i++) o.write((int) (n >>> (8 * i)) & 0xFF);
                o.write(header);
                for (TensorSource t : tensors) t.writeTo(o);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] header(List<TensorSource> tensors, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(buf)) {
            g.writeStartObject();
            g.writeObjectFieldStart("__metadata__");
            for (Map.Entry<String, String> e : metadata.entrySet()) g.writeStringField(e.getKey(), e.getValue());
            g.writeEndObject();
            long offset = 0;
            for (TensorSource t : tensors) {
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", t.dtype());
                g.writeArrayFieldStart("shape");
                for (long s : t.shape()) g.writeNumber(s);
                g.writeEndArray();
                long end = offset + t.byteLength();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                offset = end;
            }
            g.writeEndObject();
        }
        byte[] json = buf.toByteArray();
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return new String(out, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    }
}
