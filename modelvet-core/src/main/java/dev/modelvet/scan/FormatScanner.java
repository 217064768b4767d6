package dev.modelvet.scan;

import dev.modelvet.detect.Head;
import java.io.IOException;

/**
 * One file format: how to recognise it from content, and how to scan it. Containers are formats
 * too: their scanner hands children back through {@link ScanContext#scanChild(Artifact)}.
 * Scanners are stateless and thread-safe; all state lives in the {@link ScanContext}.
 */
public interface FormatScanner {

    /** Stable format id used in reports, e.g. {@code pickle}, {@code zip}, {@code numpy}. */
    String format();

    /** Whether the content (never the file name) is this format. Must be cheap and must not throw. */
    boolean detect(Head head);

    /**
     * Scans the artifact. Problems in the input are reported through the context; an
     * {@link IOException} escaping here is turned into an error by the caller.
     */
    void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException;
}
