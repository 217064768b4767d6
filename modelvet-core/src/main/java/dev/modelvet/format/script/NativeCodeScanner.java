package dev.modelvet.format.script;

import dev.modelvet.detect.Head;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;

/**
 * Native executables and shared libraries (ELF, PE, Mach-O, Actually Portable Executables such as
 * llamafile) inside a model artifact or repository. Weights never need one; custom-op and plugin
 * mechanisms ({@code tf.load_op_library}, {@code torch.ops.load_library}, ctypes) load them, and a
 * user may simply run them. Reported for review, not parsed further (an APE's embedded zip is
 * scanned by the zip scanner, which also claims the file).
 */
public final class NativeCodeScanner implements FormatScanner {

    @Override
    public String format() {
        return "native-code";
    }

    @Override
    public boolean detect(Head head) {
        return kind(head) != null;
    }

    static String kind(Head head) {
        if (head.startsWith((byte) 0x7F, (byte) 'E', (byte) 'L', (byte) 'F') && head.length() >= 20) return "ELF";
        if (head.startsWithAscii("MZqFpD")) return "Actually Portable Executable (llamafile/cosmopolitan)";
        if (head.startsWithAscii("MZ") && head.length() >= 64) {
            long peOffset = u32le(head, 0x3C);
            if (peOffset > 0 && peOffset + 4 <= head.length()
                    && head.startsWith((int) peOffset, (byte) 'P', (byte) 'E', (byte) 0, (byte) 0)) {
                return "PE (Windows executable or DLL)";
            }
            return null;
        }
        int m = (int) u32be(head, 0);
        if (head.length() >= 8 && (m == 0xFEEDFACE || m == 0xFEEDFACF || m == 0xCEFAEDFE || m == 0xCFFAEDFE)) return "Mach-O";
        // Universal binaries share CAFEBABE with Java class files, whose next word is a version (>= 45), not a small count.
        if (head.length() >= 8 && m == 0xCAFEBABE && u32be(head, 4) >= 1 && u32be(head, 4) <= 20) return "Mach-O universal";
        return null;
    }

    private static long u32le(Head h, int at) {
        if (at + 4 > h.length()) return -1;
        return (h.at(at) & 0xFFL) | (h.at(at + 1) & 0xFFL) << 8 | (h.at(at + 2) & 0xFFL) << 16 | (h.at(at + 3) & 0xFFL) << 24;
    }

    private static long u32be(Head h, int at) {
        if (at + 4 > h.length()) return -1;
        return (h.at(at) & 0xFFL) << 24 | (h.at(at + 1) & 0xFFL) << 16 | (h.at(at + 2) & 0xFFL) << 8 | (h.at(at + 3) & 0xFFL);
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) {
        String kind = kind(head);
        ctx.finding(artifact, 0, "native-code", Severity.MEDIUM,
                kind + " inside a model artifact: custom-op and plugin loaders (tf.load_op_library, torch.ops.load_library, "
                        + "ctypes) run native code, and weights never need it; review why it is here",
                kind, "");
    }
}
