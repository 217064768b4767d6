package dev.modelvet.scan;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Temporary files made while scanning one input; all removed on close. */
public final class TempFiles implements Closeable {
    public TempFiles() {
    }

    private final List<Path> files = new ArrayList<>();
    private final List<Closeable> open = new ArrayList<>();

    Path create() throws IOException {
        Path p = Files.createTempFile("modelvet-", ".spool");
        p.toFile().deleteOnExit();
        files.add(p);
        return p;
    }

    void register(Closeable c) {
        open.add(c);
    }

    @Override
    public void close() {
        for (Closeable c : open) {
            try {
                c.close();
            } catch (IOException ignored) {
                // best effort: the file is deleted below or on exit
            }
        }
        open.clear();
        for (Path p : files) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // deleteOnExit is the fallback
            }
        }
        files.clear();
    }
}
