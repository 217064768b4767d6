package dev.modelvet.format.pickle;

import dev.modelvet.detect.Head;
import dev.modelvet.policy.Classification;
import dev.modelvet.policy.Policy;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.LimitExceededException;
import dev.modelvet.scan.Limits;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Raw pickle streams at any protocol, including several pickles back to back, garbage after STOP
 * and streams that break after their payload (the findings before the break are kept).
 */
public final class PickleScanner implements FormatScanner {
    /** Legacy torch.save files start with the pickled magic number 0x1950a86a20f9469cfc6c. */
    static final byte[] TORCH_LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e};
    private static final Pattern IDENTIFIER_PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    /** Opcodes a protocol 0/1 probe must parse before text is taken for a pickle without STOP or globals. */
    private static final int PROBE_OPCODES = 64;

    @Override
    public String format() {
        return "pickle";
    }

    @Override
    public boolean detect(Head head) {
        int b0 = head.at(0);
        if (b0 < 0) return false;
        if (head.startsWith(TORCH_LEGACY_MAGIC)) return false; // the torch-legacy scanner owns these
        // A zip's "PK\3\4" reads as PERSID 'K\3\4...': pickle.load stops there (no persistent_load), and
        // torch.load reads the zip. Parsing on would only re-read the stored members as one bogus stream.
        if (head.startsWith((byte) 'P', (byte) 'K', (byte) 3, (byte) 4)) return false;
        if (b0 == 0x80) {
            int proto = head.at(1);
            if (proto >= 0 && proto <= PickleMachine.HIGHEST_PROTOCOL) return true;
            return proto > PickleMachine.HIGHEST_PROTOCOL && proto < 16 && head.at(2) >= 0 && Opcode.of(head.at(2)) != null;
        }
        return Opcode.of(b0) != null && probe(head);
    }

    /** Protocol 0/1 has no magic: parse the head and accept if it reaches STOP or names a plausible global. */
    static boolean probe(Head head) {
        ProbeSink sink = new ProbeSink();
        ByteSource bytes = ByteSource.of(head.bytes());
        Limits limits = Limits.defaults();
        PickleReader reader = new PickleReader(bytes, 0, 256, 1 << 16);
        PickleMachine m = new PickleMachine(reader, sink, Policy.bundled(), limits, new HashMap<>(), 0);
        try {
            m.run();
            return true;
        } catch (PickleFormatException e) {
            // Text that happens to start with an opcode ("classpath\n...") breaks quickly; a pickle
            // breaks only at the end of the data, or after it has called something (a payload that
            // is followed by garbage on purpose).
            boolean endOfData = e.code().equals("pickle-truncated") && reader.position() >= Math.min(head.size(), head.length()) - 16;
            if (sink.plausibleCall || sink.deniedGlobal) return true; // "cbuiltins\nexec\n" then garbage: an exploit, not text
            if (endOfData && sink.plausibleGlobal && m.opcodes > 1) return true; // not a lone "cname\nname\n" text
            return endOfData && head.size() > head.length() && m.opcodes >= PROBE_OPCODES && !sink.implausibleGlobal;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static final class ProbeSink implements PickleSink {
        boolean plausibleGlobal;
        boolean implausibleGlobal;
        boolean plausibleCall;
        boolean deniedGlobal;

        private static boolean plausible(Value.Global g) {
            return IDENTIFIER_PATH.matcher(g.module()).matches() && IDENTIFIER_PATH.matcher(g.name()).matches();
        }

        @Override
        public void global(Value.Global g) {
            if (plausible(g)) plausibleGlobal = true;
            else implausibleGlobal = true;
            if (plausible(g) && g.classification().denied()) deniedGlobal = true;
        }

        @Override
        public void call(Value.Call call) {
            if (call.callable instanceof Value.Global g && plausible(g)) plausibleCall = true;
        }

        @Override
        public void structural(String ruleId, Severity severity, long offset, String message, String evidence) {
        }

        @Override
        public void persistentId(Value pid, long offset) {
        }
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        scanStreams(artifact, 0, ctx, ctx.limits().maxPickleStreams(), ctx.persistentIdsExpected(artifact), artifact.depth() > 0);
    }

    /**
     * Scans a view that starts in the middle of a stream (what CPython's C unpickler executes after
     * a frame-boundary violation): unknown earlier values are tolerated, a parse failure just ends it.
     */
    static void scanFragment(Artifact view, ScanContext ctx) {
        Limits limits = ctx.limits();
        PickleAnalysis analysis = new PickleAnalysis(ctx, view, ctx.persistentIdsExpected(view));
        PickleReader reader = new PickleReader(view.source(), 0, limits.maxKeptString(), limits.maxKeptBytes());
        PickleMachine machine = new PickleMachine(reader, analysis, ctx.policy(), limits, new HashMap<>(), 1, true);
        try {
            machine.run();
        } catch (IOException e) {
            // The view ends where CPython's loader would fail; what it ran before that is reported.
        }
        analysis.flush();
    }

    /** How far past the last good stream the scanner looks for a hidden one, and how many candidates it tries. */
    private static final long HIDDEN_STREAM_WINDOW = 16L << 20;
    private static final int HIDDEN_STREAM_CANDIDATES = 256;

    /**
     * Looks for a protocol 2-5 pickle that starts inside junk after the last STOP: a candidate is a
     * PROTO opcode whose stream, parsed on its own, reaches STOP and resolves a global. Only then is
     * it worth a finding; random bytes almost never pass that test. Returns its offset or -1.
     */
    static long findHiddenStream(ByteSource source, long from, Limits limits) {
        try {
            return hiddenStream(source, from, limits);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long hiddenStream(ByteSource source, long from, Limits limits) throws IOException {
        long end = Math.min(source.size() - 2, from + HIDDEN_STREAM_WINDOW);
        byte[] buf = new byte[64 * 1024];
        int overlap = 512;
        int tried = 0;
        long parsed = 0;
        for (long base = from; base < end; base += buf.length - overlap) {
            int n = source.read(base, buf, 0, (int) Math.min(buf.length, end + 2 - base));
            if (n < 2) break;
            for (int i = 0; i + 1 < n && base + i < end; i++) {
                boolean binary = buf[i] == (byte) 0x80 && buf[i + 1] >= 2 && buf[i + 1] <= PickleMachine.HIGHEST_PROTOCOL;
                if (!binary && !(buf[i] == 'c' && textGlobalAt(buf, i + 1, n))) continue;
                if (++tried > HIDDEN_STREAM_CANDIDATES || parsed > 4 * HIDDEN_STREAM_WINDOW) return -1;
                long at = base + i;
                ProbeSink sink = new ProbeSink();
                PickleReader reader = new PickleReader(source, at, 256, 1 << 16);
                PickleMachine m = new PickleMachine(reader, sink, Policy.bundled(), limits, new HashMap<>(), 0);
                try {
                    m.run();
                    if (sink.plausibleCall || sink.plausibleGlobal) return at;
                } catch (IOException | RuntimeException e) {
                    // not a stream
                }
                parsed += reader.position() - at;
            }
            if (base + n >= end + 2) break;
        }
        return -1;
    }

    /** {@code module\nname\n} with identifier characters, as a protocol-0 GLOBAL argument (within the buffer). */
    private static boolean textGlobalAt(byte[] b, int from, int n) {
        int lines = 0;
        int len = 0;
        for (int i = from; i < n && i < from + 256; i++) {
            int c = b[i];
            if (c == '\n') {
                if (len == 0) return false;
                if (++lines == 2) return true;
                len = 0;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                if (len++ == 0 && Character.isDigit(c)) return false;
            } else {
                return false;
            }
        }
        return false;
    }

    /**
     * Scans consecutive pickle streams from {@code start}.
     *
     * @param maxStreams            stop after this many streams (legacy torch writes exactly five)
     * @param persistentIdsExpected the loader defines persistent_load (PyTorch), so persistent ids are normal
     * @param tentative             content was recognised only by two magic bytes: if the first stream
     *                              breaks at once without any global, it is treated as not a pickle
     * @return the offset after the last complete stream
     */
    public static long scanStreams(Artifact artifact, long start, ScanContext ctx, int maxStreams,
                                   boolean persistentIdsExpected, boolean tentative) {
        Limits limits = ctx.limits();
        PickleAnalysis analysis = new PickleAnalysis(ctx, artifact, persistentIdsExpected);
        Map<String, Classification> classified = new HashMap<>();
        ByteSource source = artifact.source();
        long pos = start;
        int streams = 0;
        boolean notPickle = false;
        try {
            while (pos < source.size() && streams < maxStreams) {
                PickleReader reader = new PickleReader(source, pos, limits.maxKeptString(), limits.maxKeptBytes());
                PickleMachine machine = new PickleMachine(reader, analysis, ctx.policy(), limits, classified, 0);
                try {
                    machine.run();
                    streams++;
                    pos = reader.position();
                } catch (PickleFormatException e) {
                    long searchFrom = -1;
                    if (streams == 0) {
                        if (tentative && !machine.sawGlobal && machine.opcodes <= 16) {
                            notPickle = true;
                        } else {
                            ctx.error(artifact, e.offset(), e.code(), e.getMessage()
                                    + (analysis.hasGlobals() ? " (findings before this point are reported: the loader ran them)" : ""));
                            searchFrom = Math.max(pos + 1, e.offset());
                        }
                    } else {
                        long trailing = source.size() - pos;
                        String what = machine.sawGlobal ? "a further pickle stream that breaks: " + e.getMessage()
                                : trailing + " bytes after the last STOP are not a pickle";
                        analysis.structural("pickle-trailing-data", machine.sawGlobal ? Severity.MEDIUM : Severity.LOW, pos,
                                "data after the end of the pickle: " + what, "");
                        searchFrom = pos + 1;
                    }
                    long hidden = searchFrom < 0 ? -1 : findHiddenStream(source, searchFrom, limits);
                    if (hidden >= 0) {
                        analysis.structural("pickle-hidden-stream", Severity.MEDIUM, hidden,
                                "a complete pickle stream that calls globals starts at offset " + hidden + ", after "
                                        + (streams == 0 ? "the point where the first stream breaks" : "the last STOP")
                                        + ": a loader that seeks past the junk runs it", "offset " + hidden);
                        pos = hidden;
                        continue;
                    }
                    break;
                } catch (LimitExceededException e) {
                    ctx.error(artifact, reader.position(), e.code(), e.getMessage());
                    break;
                } catch (IOException e) {
                    ctx.error(artifact, reader.position(), "io", "cannot read: " + e.getMessage());
                    break;
                }
            }
            if (streams == maxStreams && pos < source.size() && maxStreams == limits.maxPickleStreams()) {
                ctx.error(artifact, pos, "limit-pickle-streams", "more than " + maxStreams + " pickle streams; the rest was not scanned");
            }
        } finally {
            if (notPickle) {
                ctx.noteSkipped(artifact, "pickle", "starts like a pickle but is not one");
            } else {
                analysis.flush();
                if (streams > 0 || analysis.hasGlobals()) {
                    ctx.finding(artifact, start, "pickle-format", Severity.INFO,
                            "pickle-based format: loading it can run code; prefer safetensors", "", "");
                }
            }
        }
        return pos;
    }
}
