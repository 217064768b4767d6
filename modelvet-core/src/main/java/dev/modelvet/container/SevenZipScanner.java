package dev.modelvet.container;

import dev.modelvet.detect.Head;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.LimitExceededException;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZFile;

/** 7z archives (the nullifAI wrapping of PyTorch checkpoints); every entry is scanned whatever its name. */
public final class SevenZipScanner implements FormatScanner {
    private static final int MAX_MEMORY_KB = 256 * 1024;

    @Override
    public String format() {
        return "7z";
    }

    @Override
    public boolean detect(Head head) {
        return head.startsWith((byte) '7', (byte) 'z', (byte) 0xBC, (byte) 0xAF, (byte) 0x27, (byte) 0x1C);
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        int count = 0;
        try (SevenZFile zip = SevenZFile.builder().setSeekableByteChannel(new SourceChannel(artifact.source()))
                .setMaxMemoryLimitKb(MAX_MEMORY_KB).get()) {
            for (SevenZArchiveEntry e : zip.getEntries()) {
                if (++count > ctx.limits().maxArchiveEntries()) {
                    ctx.error(artifact, -1, "limit-archive-entries", "more than " + ctx.limits().maxArchiveEntries() + " 7z entries");
                    return;
                }
                if (e.isDirectory() || !e.hasStream()) continue;
                String name = e.getName();
                if (name != null && ArchivePaths.escapes(name)) {
                    ctx.finding(artifact, -1, "archive-path-traversal", Severity.MEDIUM,
                            "entry name escapes the extraction folder (absolute path or '..')", name, "CWE-22");
                }
                ByteSource data;
                try (InputStream in = zip.getInputStream(e)) {
                    data = ctx.spooler().spool(in, -1);
                } catch (LimitExceededException ex) {
                    ctx.error(artifact, -1, ex.code(), "7z entry '" + name + "': " + ex.getMessage());
                    continue;
                }
                ctx.scanChild(artifact.child(name == null ? "entry" + count : name, data));
            }
        } catch (IOException | RuntimeException e) {
            ctx.error(artifact, -1, "7z-malformed", "7z: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }
}
