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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Zip archives, including PyTorch checkpoints, TorchScript archives, .npz and .keras files. Every
 * entry is judged by its content, whatever its name. Quirks that PyTorch tolerates and strict
 * readers reject (bad CRC, flag bits, local/central name mismatch, prepended data) are read through
 * and reported, because the loader reads them too.
 */
public final class ZipScanner implements FormatScanner {
    private static final long CRC_CHECK_LIMIT = 64L << 20;

    @Override
    public String format() {
        return "zip";
    }

    @Override
    public boolean detect(Head head) {
        if (head.startsWith((byte) 'P', (byte) 'K', (byte) 3, (byte) 4) || head.startsWith((byte) 'P', (byte) 'K', (byte) 5, (byte) 6)) {
            return true;
        }
        // A tar holding a zip (a torch checkpoint) has an end record near its end: the tar scanner
        // owns it, and scans the zip view itself when the record lies outside every member.
        if (TarScanner.looksLikeTar(head)) return false;
        try {
            return ZipReader.findEocd(head.source()) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        scan(artifact, ctx, ctx.formatsOf(artifact).size() > 1);
    }

    /**
     * Scans the zip view of {@code artifact}; {@code prefixScanned} when another scanner already read
     * the bytes before the first entry (the file is also a tar, a pickle, ...).
     */
    void scan(Artifact artifact, ScanContext ctx, boolean prefixScanned) throws IOException {
        ByteSource src = artifact.source();
        ZipReader zip = new ZipReader(src);
        try {
            zip.read(ctx.limits().maxArchiveEntries());
        } catch (ZipReader.ZipFormatException e) {
            ctx.error(artifact, zip.eocdOffset, "zip-malformed", "zip: " + e.getMessage());
            return;
        }
        for (String odd : zip.oddities) {
            ctx.finding(artifact, zip.eocdOffset, "zip-inconsistent", Severity.MEDIUM,
                    "zip structures disagree (readers may see different content)", odd, "");
        }
        regions(artifact, zip, ctx, prefixScanned);

        TorchLayout torch = TorchLayout.of(zip.entries);
        if (torch.ambiguous()) {
            ctx.finding(artifact, -1, "zip-torch-ambiguous-root", Severity.MEDIUM,
                    "several data.pkl records under different roots: PyTorch loads the one under the first entry's folder",
                    String.join(", ", torch.dataPickles()), "");
        }
        if (torch.torchScript()) {
            ctx.finding(artifact, -1, "torch-torchscript", Severity.INFO,
                    "TorchScript archive: torch.jit.load compiles and runs its code/ records (not plain weights)",
                    torch.root() + "/constants.pkl", "CVE-2025-32434");
        }
        Set<String> seen = new HashSet<>();
        for (ZipEntryRecord e : zip.entries) {
            if (e.isDirectory()) continue;
            checkName(artifact, e, seen, ctx);
            if (e.localName() == null || e.dataOffset() < 0) {
                ctx.error(artifact, e.localOffset(), "zip-missing-local-header", "zip entry '" + e.name() + "': no local header at offset " + e.localOffset());
                continue;
            }
            if (!e.localName().equals(e.name())) {
                ctx.finding(artifact, e.localOffset(), "zip-name-mismatch", Severity.MEDIUM,
                        "local header and central directory name the entry differently (parser differential, CVE-2025-1944)",
                        "central '" + e.name() + "' vs local '" + e.localName() + "'", "CVE-2025-1944");
            }
            int odd = (e.flags() | e.localFlags()) & 0x61;
            if (odd != 0) {
                ctx.finding(artifact, e.localOffset(), "zip-flag-bits", Severity.MEDIUM,
                        "entry flags claim encryption or patched data; PyTorch ignores them, strict readers refuse (CVE-2025-1945)",
                        e.name() + String.format(" flags=0x%04x", e.flags() | e.localFlags()), "CVE-2025-1945");
            }
            if (e.dataOffset() + e.compressedSize() > src.size() || e.compressedSize() < 0) {
                ctx.error(artifact, e.localOffset(), "zip-truncated-entry", "zip entry '" + e.name() + "' runs past the end of the file");
                continue;
            }
            if (torch.isRawStorage(e.name())) {
                ctx.noteSkipped(artifact.child(e.name(), src.slice(e.dataOffset(), e.compressedSize())), "torch-storage",
                        "raw tensor data (PyTorch reads it as bytes, never unpickles it)");
                continue;
            }
            ByteSource data;
            try {
                data = open(e, src, ctx);
            } catch (LimitExceededException ex) {
                ctx.error(artifact, e.localOffset(), ex.code(), "zip entry '" + e.name() + "': " + ex.getMessage());
                continue;
            } catch (IOException ex) {
                ctx.error(artifact, e.localOffset(), "zip-bad-entry", "zip entry '" + e.name() + "': " + ex.getMessage());
                continue;
            }
            if (data == null) {
                ctx.error(artifact, e.localOffset(), "zip-unsupported-method",
                        "zip entry '" + e.name() + "' uses compression method " + e.method() + ", which modelvet cannot read");
                continue;
            }
            checkCrc(artifact, e, data, ctx);
            Artifact child = artifact.child(e.name(), data);
            if (torch.isTorchPickle(e.name())) {
                ctx.expectPersistentIds(child);
                if (torch.torchScript()) ctx.markTorchScript(child);
            }
            ctx.scanChild(child);
        }
    }

    /** Data before the first entry or after the end record: a second file glued to the archive. */
    private static void regions(Artifact artifact, ZipReader zip, ScanContext ctx, boolean claimedAtZero) throws IOException {
        ByteSource src = artifact.source();
        long firstLocal = zip.entries.stream().mapToLong(ZipEntryRecord::localOffset).filter(o -> o >= 0).min()
                .orElse(zip.eocdOffset - 0);
        firstLocal = Math.min(firstLocal, zip.eocdOffset);
        if (firstLocal > 0) {
            ctx.finding(artifact, 0, "zip-prefix-data", Severity.MEDIUM,
                    firstLocal + " bytes before the first zip entry (a second file glued in front; PyTorch rejects it, "
                            + "Python's zipfile reads it)", "", "");
            if (!claimedAtZero) ctx.scanChild(artifact.child("<before-zip>", src.slice(0, firstLocal)));
        }
        long commentStart = zip.eocdOffset + 22;
        long commentEnd = Math.min(zip.archiveEnd, src.size());
        if (commentEnd > commentStart) {
            // The archive comment is free-form bytes that readers hand to programs (zipfile's .comment):
            // a payload can ride in it, so it is scanned by content like anything else.
            ctx.scanChild(artifact.child("<zip-comment>", src.slice(commentStart, commentEnd - commentStart)));
        }
        if (zip.archiveEnd < src.size()) {
            long n = src.size() - zip.archiveEnd;
            ctx.finding(artifact, zip.archiveEnd, "zip-trailing-data", Severity.LOW,
                    n + " bytes after the end of the zip archive", "", "");
            ctx.scanChild(artifact.child("<after-zip>", src.slice(zip.archiveEnd, n)));
        }
    }

    private static void checkName(Artifact artifact, ZipEntryRecord e, Set<String> seen, ScanContext ctx) {
        if (!seen.add(e.name())) {
            ctx.finding(artifact, e.localOffset(), "zip-duplicate-name", Severity.MEDIUM,
                    "two entries with the same name: readers disagree on which one counts", e.name(), "");
        }
        if (ArchivePaths.escapes(e.name())) {
            ctx.finding(artifact, e.localOffset(), "archive-path-traversal", Severity.MEDIUM,
                    "entry name escapes the extraction folder (absolute path or '..')", e.name(), "CWE-22");
        }
    }

    private static ByteSource open(ZipEntryRecord e, ByteSource src, ScanContext ctx) throws IOException {
        ByteSource raw = src.slice(e.dataOffset(), e.compressedSize());
        switch (e.method()) {
            case 0:
                return raw;
            case 8: {
                Inflater inflater = new Inflater(true);
                try (InputStream in = new InflaterInputStream(raw.openStream(0), inflater, 64 * 1024)) {
                    return ctx.spooler().spool(in, e.compressedSize());
                } finally {
                    inflater.end();
                }
            }
            default: {
                Codec codec = Codec.forZipMethod(e.method());
                if (codec == null) return null;
                try (InputStream in = codec.open(raw.openStream(0))) {
                    return ctx.spooler().spool(in, e.compressedSize());
                }
            }
        }
    }

    private static void checkCrc(Artifact artifact, ZipEntryRecord e, ByteSource data, ScanContext ctx) throws IOException {
        if (data.size() != e.uncompressedSize() && e.method() != 0) {
            ctx.finding(artifact, e.localOffset(), "zip-size-mismatch", Severity.MEDIUM,
                    "entry decompresses to a size other than declared", e.name() + ": declared " + e.uncompressedSize()
                            + ", actual " + data.size(), "");
        }
        if (data.size() > CRC_CHECK_LIMIT) return;
        CRC32 crc = new CRC32();
        byte[] buf = new byte[64 * 1024];
        long pos = 0;
        int n;
        while ((n = data.read(pos, buf, 0, buf.length)) > 0) {
            crc.update(buf, 0, n);
            pos += n;
        }
        if (crc.getValue() != e.crc()) {
            ctx.finding(artifact, e.localOffset(), "zip-crc-mismatch", Severity.MEDIUM,
                    "entry CRC does not match its content (edited after archiving; PyTorch ignores CRCs, CVE-2025-10156)",
                    e.name() + String.format(": declared %08x, actual %08x", e.crc(), crc.getValue()), "CVE-2025-10156");
        }
    }

    /** Where PyTorch looks in an archive: the folder of the first entry. */
    record TorchLayout(String root, List<String> dataPickles, boolean torchScript) {
        static TorchLayout of(List<ZipEntryRecord> entries) {
            List<String> pickles = entries.stream().map(ZipEntryRecord::name)
                    .filter(n -> n.equals("data.pkl") || n.endsWith("/data.pkl")).toList();
            if (pickles.isEmpty() || entries.isEmpty()) return new TorchLayout(null, pickles, false);
            String first = entries.get(0).name();
            int slash = first.indexOf('/');
            String root = slash > 0 ? first.substring(0, slash) : "";
            boolean script = entries.stream().anyMatch(e -> e.name().equals(root + "/constants.pkl"));
            return new TorchLayout(root, pickles, script);
        }

        boolean isTorch() {
            return root != null;
        }

        boolean ambiguous() {
            return dataPickles.size() > 1;
        }

        /** {@code <root>/data/<key>}: raw storage bytes. */
        boolean isRawStorage(String name) {
            if (!isTorch()) return false;
            String prefix = root + "/data/";
            return name.startsWith(prefix) && name.indexOf('/', prefix.length()) < 0 && name.length() > prefix.length();
        }

        boolean isTorchPickle(String name) {
            return isTorch() && name.startsWith(root + "/") && (name.endsWith(".pkl") || name.endsWith(".debug_pkl"));
        }
    }
}
