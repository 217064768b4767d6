package dev.modelvet.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.Limits;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Severity;
import dev.modelvet.scan.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.apache.commons.compress.compressors.lzma.LZMACompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContainerScannerTest {
    private static final Scanner SCANNER = Scanner.builder().build();
    /** {@code posix.system('echo pwned')}, protocol 4. */
    static final byte[] EVIL = HexFormat.of().parseHex(
            "80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e");
    /** {@code os.system('id')}, protocol 0: no magic bytes at all. */
    static final byte[] EVIL_P0 = "cos\nsystem\n(S'id'\ntR.".getBytes(StandardCharsets.ISO_8859_1);

    private static ArtifactResult scan(byte[] b) {
        return SCANNER.scan("x", ByteSource.of(b));
    }

    static byte[] zip(String name, byte[] data, boolean stored) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            ZipEntry e = new ZipEntry(name);
            if (stored) {
                e.setMethod(ZipEntry.STORED);
                e.setSize(data.length);
                CRC32 crc = new CRC32();
                crc.update(data);
                e.setCrc(crc.getValue());
            }
            z.putNextEntry(e);
            z.write(data);
            z.closeEntry();
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @ParameterizedTest
    @ValueSource(strings = {"archive/data.pkl", "archive/data.txt", "weights", "deep/er/model.bin"})
    void pickleInZipIsFoundWhateverItsName(String name) throws IOException {
        for (boolean stored : new boolean[] {true, false}) {
            ArtifactResult r = scan(zip(name, EVIL_P0, stored));
            assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
            assertThat(r.findings()).anySatisfy(f -> assertThat(f.path()).isEqualTo("x!" + name));
        }
    }

    @Test
    void crcMismatchIsReportedAndTheEntryStillScanned() throws IOException {
        byte[] z = zip("archive/data.pkl", EVIL, true);
        int at = indexOf(z, "echo".getBytes(StandardCharsets.US_ASCII), 0);
        z[at] = 'E';
        ArtifactResult r = scan(z);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.ruleId()).isEqualTo("zip-crc-mismatch"));
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.evidence()).contains("Echo pwned"));
    }

    @Test
    void localAndCentralNamesDisagree() throws IOException {
        byte[] z = zip("archive/data.pkl", EVIL, true);
        int local = indexOf(z, "archive/data.pkl".getBytes(StandardCharsets.US_ASCII), 0);
        z[local] = 'X';
        ArtifactResult r = scan(z);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.ruleId()).isEqualTo("zip-name-mismatch"));
        assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
    }

    @Test
    void encryptionFlagOnPlaintextEntryIsReadThrough() throws IOException {
        byte[] z = zip("archive/data.pkl", EVIL, true);
        z[6] |= 0x01;                                   // local header flags
        int cen = indexOf(z, new byte[] {'P', 'K', 1, 2}, 0);
        z[cen + 8] |= 0x01;                             // central directory flags
        ArtifactResult r = scan(z);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.ruleId()).isEqualTo("zip-flag-bits"));
        assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
    }

    @Test
    void dataBeforeAndAfterTheArchiveIsScanned() throws IOException {
        byte[] inner = zip("a.txt", "hello".getBytes(StandardCharsets.US_ASCII), true);
        ByteArrayOutputStream junk = new ByteArrayOutputStream();
        junk.writeBytes("JUNKJUNK".getBytes(StandardCharsets.US_ASCII));
        junk.writeBytes(inner);
        ArtifactResult prefixed = scan(junk.toByteArray());
        assertThat(prefixed.findings()).anySatisfy(f -> assertThat(f.ruleId()).isEqualTo("zip-prefix-data"));
        assertThat(prefixed.errors()).isEmpty();

        ByteArrayOutputStream polyglot = new ByteArrayOutputStream();
        polyglot.writeBytes(EVIL);
        polyglot.writeBytes(inner);
        ArtifactResult r = scan(polyglot.toByteArray());
        assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);

        ByteArrayOutputStream appended = new ByteArrayOutputStream();
        appended.writeBytes(inner);
        appended.writeBytes(EVIL);
        ArtifactResult a = scan(appended.toByteArray());
        assertThat(a.findings()).anySatisfy(f -> assertThat(f.path()).isEqualTo("x!<after-zip>"));
    }

    @Test
    void nestedZipAndTraversalNames() throws IOException {
        byte[] nested = zip("outer/inner.zip", zip("../../evil.pkl", EVIL, false), false);
        ArtifactResult r = scan(nested);
        assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.ruleId()).isEqualTo("archive-path-traversal"));
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.path()).isEqualTo("x!outer/inner.zip!../../evil.pkl"));
    }

    @Test
    void zipBombStopsAtTheRatioLimit() throws IOException {
        byte[] zeros = new byte[1 << 20];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("bomb.bin"));
            for (int i = 0; i < 80; i++) z.write(zeros);
            z.closeEntry();
        }
        Scanner strict = Scanner.builder().limits(Limits.defaults().withMaxDecompressedBytes(16L << 20)).build();
        ArtifactResult r = strict.scan("bomb.zip", ByteSource.of(out.toByteArray()));
        assertThat(r.errors()).anySatisfy(e -> assertThat(e.code()).startsWith("limit-"));
    }

    @Test
    void truncatedCentralDirectoryIsAnError() throws IOException {
        byte[] z = zip("a.pkl", EVIL, true);
        int cen = indexOf(z, new byte[] {'P', 'K', 1, 2}, 0);
        byte[] cut = java.util.Arrays.copyOf(z, cen + 10);
        ArtifactResult r = scan(cut);
        assertThat(r.verdict()).isIn(Verdict.ERROR, Verdict.MALICIOUS);
        assertThat(r.findings()).noneMatch(f -> f.ruleId().equals("internal"));
    }

    @Test
    void tarEntriesAreScanned() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry("checkpoint/pickle");
            e.setSize(EVIL_P0.length);
            t.putArchiveEntry(e);
            t.write(EVIL_P0);
            t.closeArchiveEntry();
        }
        ArtifactResult r = scan(out.toByteArray());
        assertThat(r.format()).isEqualTo("tar");
        assertThat(r.findings()).anySatisfy(f -> {
            assertThat(f.path()).isEqualTo("x!checkpoint/pickle");
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        });
    }

    private static byte[] tarOf(String name, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(data.length);
            t.putArchiveEntry(e);
            t.write(data);
            t.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    @Test
    void aTarHoldingAZipIsATarNotAZipWithAPrefix() throws IOException {
        ArtifactResult r = scan(tarOf("model.pt", zip("archive/data.pkl", "}.".getBytes(StandardCharsets.ISO_8859_1), true)));
        assertThat(r.format()).isEqualTo("tar");
        assertThat(r.findings()).noneMatch(f -> f.severity().atLeast(Severity.MEDIUM));
    }

    @Test
    void aZipGluedAfterATarIsScannedAsAZipToo() throws IOException {
        byte[] tar = tarOf("README", "hello".getBytes(StandardCharsets.US_ASCII));
        byte[] zip = zip("archive/data.pkl", EVIL, true);
        byte[] both = java.util.Arrays.copyOf(tar, tar.length + zip.length);
        System.arraycopy(zip, 0, both, tar.length, zip.length);
        ArtifactResult r = scan(both);
        assertThat(r.format()).isEqualTo("tar");
        assertThat(r.findings()).anyMatch(f -> f.ruleId().equals("polyglot-tar-zip"));
        assertThat(r.findings()).anyMatch(f -> f.severity() == Severity.CRITICAL && f.path().endsWith("archive/data.pkl"));
    }

    @Test
    void aPickleInTheZipCommentIsScanned() throws IOException {
        byte[] z = zip("a.txt", "a".getBytes(StandardCharsets.US_ASCII), true);
        byte[] withComment = java.util.Arrays.copyOf(z, z.length + EVIL.length);
        System.arraycopy(EVIL, 0, withComment, z.length, EVIL.length);
        withComment[z.length - 2] = (byte) EVIL.length; // EOCD comment length (little-endian, < 256)
        withComment[z.length - 1] = 0;
        ArtifactResult r = scan(withComment);
        assertThat(r.findings()).anyMatch(f -> f.severity() == Severity.CRITICAL && f.path().endsWith("<zip-comment>"));
        assertThat(r.findings()).noneMatch(f -> f.ruleId().equals("zip-trailing-data"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "bzip2", "xz", "lzma", "zlib", "lz4"})
    void compressedPicklesAreDecompressedAndScanned(String codec) throws IOException {
        Function<OutputStream, OutputStream> wrap = o -> {
            try {
                return switch (codec) {
                    case "gzip" -> new GZIPOutputStream(o);
                    case "bzip2" -> new BZip2CompressorOutputStream(o);
                    case "xz" -> new XZCompressorOutputStream(o);
                    case "lzma" -> new LZMACompressorOutputStream(o);
                    case "zlib" -> new java.util.zip.DeflaterOutputStream(o);
                    case "lz4" -> new FramedLZ4CompressorOutputStream(o);
                    default -> throw new IllegalArgumentException(codec);
                };
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream c = wrap.apply(out)) {
            c.write(EVIL);
        }
        ArtifactResult r = scan(out.toByteArray());
        assertThat(r.format()).isEqualTo(codec);
        assertThat(r.findings()).anySatisfy(f -> {
            assertThat(f.path()).isEqualTo("x!" + codec);
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        });
    }

    @Test
    void truncatedGzipStillScansWhatItDecompressed() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream c = new GZIPOutputStream(out)) {
            c.write(EVIL);
            c.write(new byte[5000]);
        }
        byte[] all = out.toByteArray();
        ArtifactResult r = scan(java.util.Arrays.copyOf(all, all.length - 12));
        assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
        assertThat(r.errors()).anySatisfy(e -> assertThat(e.code()).isEqualTo("gzip-malformed"));
    }
}
