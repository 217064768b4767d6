package dev.modelvet.format.torch;

import dev.modelvet.detect.Head;
import dev.modelvet.format.pickle.PickleScanner;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;

/**
 * PyTorch's legacy (pre-zip) format: five pickles back to back (magic number, protocol version,
 * system info, the object, the storage keys), then raw storage bytes that are never unpickled.
 * Every one of the five pickles is scanned; the raw tail is not read.
 */
public final class TorchLegacyScanner implements FormatScanner {
    private static final byte[] MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e};
    private static final int PICKLES = 5;

    @Override
    public String format() {
        return "torch-legacy";
    }

    @Override
    public boolean detect(Head head) {
        return head.startsWith(MAGIC);
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        long end = PickleScanner.scanStreams(artifact, 0, ctx, PICKLES, true, false);
        long raw = artifact.size() - end;
        if (raw > 0) {
            ctx.finding(artifact, end, "torch-legacy-storage", Severity.INFO,
                    "legacy PyTorch file: " + raw + " bytes of raw tensor storage follow the pickles (read as bytes, not unpickled)",
                    "", "");
        }
    }
}
