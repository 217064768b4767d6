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
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/** Tar archives (ustar, GNU, pax, and old v7 headers with a valid checksum), PyTorch's oldest format included. */
public final class TarScanner implements FormatScanner {

    @Override
    public String format() {
        return "tar";
    }

    @Override
    public boolean detect(Head head) {
        return looksLikeTar(head);
    }

    /** A tar header at offset 0: ustar magic, or an old-style header with a valid checksum. */
    static boolean looksLikeTar(Head head) {
        if (head.length() < 512) return false;
        if (head.startsWith(257, "ustar".getBytes(StandardCharsets.US_ASCII))) return true;
        return checksumValid(head.bytes()) && head.at(0) != 0;
    }

    /** The header checksum: sum of the 512 header bytes with the checksum field read as spaces. */
    static boolean checksumValid(byte[] h) {
        String field = new String(h, 148, 8, StandardCharsets.US_ASCII).trim().replace("\0", "");
        if (field.isEmpty() || !field.matches("[0-7]+")) return false;
        long declared = Long.parseLong(field, 8);
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
        return sum == declared;
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        ByteSource src = artifact.source();
        int count = 0;
        long eocd = ZipReader.findEocd(src);
        boolean eocdInsideEntry = false;
        try (TarFile tar = new TarFile(new SourceChannel(src))) {
            for (TarArchiveEntry e : tar.getEntries()) {
                if (++count > ctx.limits().maxArchiveEntries()) {
                    ctx.error(artifact, -1, "limit-archive-entries", "more than " + ctx.limits().maxArchiveEntries() + " tar entries");
                    return;
                }
                String name = e.getName();
                if (ArchivePaths.escapes(name)) {
                    ctx.finding(artifact, -1, "archive-path-traversal", Severity.MEDIUM,
                            "entry name escapes the extraction folder (absolute path or '..')", name, "CWE-22");
                }
                if (e.isSymbolicLink() || e.isLink()) {
                    String target = e.getLinkName();
                    boolean escapes = ArchivePaths.escapes(target);
                    ctx.finding(artifact, -1, "archive-link", escapes ? Severity.MEDIUM : Severity.LOW,
                            "link entry" + (escapes ? " pointing outside the extraction folder" : ""), name + " -> " + target, "CWE-59");
                    continue;
                }
                if (!e.isFile()) continue;
                if (eocd >= e.getDataOffset() && eocd < e.getDataOffset() + e.getSize()) eocdInsideEntry = true;
                ByteSource data;
                try (InputStream in = tar.getInputStream(e)) {
                    data = ctx.spooler().spool(in, -1);
                } catch (LimitExceededException ex) {
                    ctx.error(artifact, -1, ex.code(), "tar entry '" + name + "': " + ex.getMessage());
                    continue;
                }
                ctx.scanChild(artifact.child(name, data));
            }
        } catch (IOException | RuntimeException e) {
            ctx.error(artifact, -1, "tar-malformed", "tar: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return;
        }
        if (eocd >= 0 && !eocdInsideEntry) {
            // A zip end record outside every member: the file is also a zip (zip readers accept a
            // prefix), and what a zip reader sees is scanned too.
            ctx.finding(artifact, eocd, "polyglot-tar-zip", Severity.MEDIUM,
                    "the tar is also a zip archive: tar and zip readers see different content", "zip end record at offset " + eocd, "");
            new ZipScanner().scan(artifact, ctx, true); // the tar part was just scanned
        }
    }
}
