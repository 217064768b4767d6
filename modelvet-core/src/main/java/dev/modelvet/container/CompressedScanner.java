package dev.modelvet.container;

import dev.modelvet.detect.Head;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.LimitExceededException;
import dev.modelvet.scan.ScanContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A compressed stream: decompressed within the limits and handed back to detection as one child.
 * A stream that breaks part-way still has its decompressed prefix scanned (a payload placed before
 * the corruption would already have run), and the break is reported.
 */
public final class CompressedScanner implements FormatScanner {
    private final Codec codec;

    private CompressedScanner(Codec codec) {
        this.codec = codec;
    }

    public static java.util.List<FormatScanner> all() {
        return java.util.Arrays.stream(Codec.values()).map(c -> (FormatScanner) new CompressedScanner(c)).toList();
    }

    @Override
    public String format() {
        return codec.id;
    }

    @Override
    public boolean detect(Head head) {
        return codec.matches(head);
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        ByteSource src = artifact.source();
        Tolerant in;
        try {
            in = new Tolerant(codec.open(src.openStream(0)));
        } catch (IOException e) {
            ctx.error(artifact, 0, codec.id + "-malformed", codec.id + ": " + e.getMessage());
            return;
        }
        ByteSource out;
        try (in) {
            out = ctx.spooler().spool(in, src.size());
        } catch (LimitExceededException e) {
            ctx.error(artifact, -1, e.code(), codec.id + ": " + e.getMessage());
            return;
        }
        if (in.failure != null) {
            ctx.error(artifact, -1, codec.id + "-malformed", codec.id + " stream breaks after " + out.size()
                    + " bytes: " + in.failure.getMessage() + " (the decompressed part is scanned)");
        }
        if (out.size() > 0) ctx.scanChild(artifact.child(codec.id, out));
    }

    /**
     * Turns a decoding error into end of data, remembering it. Reads are capped so that a decoder
     * that throws away a partly filled buffer when its input breaks loses little of what it decoded.
     */
    private static final class Tolerant extends FilterInputStream {
        private static final int MAX_READ = 4096;
        IOException failure;

        Tolerant(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            int n = read(b, 0, 1);
            return n <= 0 ? -1 : b[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (failure != null) return -1;
            try {
                return super.read(b, off, Math.min(len, MAX_READ));
            } catch (LimitExceededException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e.getClass().getSimpleName() + ": " + e.getMessage());
                return -1;
            }
        }
    }
}
