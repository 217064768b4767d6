package dev.modelvet.scan;

import java.util.Objects;

/**
 * Something to scan: bytes plus a display path. A top-level file has path "model.pt"; an entry in
 * it "model.pt!archive/data.pkl"; a decompressed stream "weights.joblib!zlib".
 *
 * @param path   display path with {@code !} between container levels
 * @param source the bytes (random access)
 * @param depth  0 for a top-level input, +1 per container level
 */
public record Artifact(String path, ByteSource source, int depth) {

    public Artifact {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(source, "source");
    }

    public long size() {
        return source.size();
    }

    /** The child artifact {@code this!name} backed by {@code bytes}. */
    public Artifact child(String name, ByteSource bytes) {
        return new Artifact(path + "!" + name, bytes, depth + 1);
    }

    /** The last path element, used only as a hint (never to choose a format). */
    public String fileName() {
        String p = path;
        int bang = p.lastIndexOf('!');
        if (bang >= 0) p = p.substring(bang + 1);
        int slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
        return slash >= 0 ? p.substring(slash + 1) : p;
    }
}
