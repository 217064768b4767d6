package dev.modelvet.format.dotnet;

import dev.modelvet.detect.Head;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * .NET BinaryFormatter streams (MS-NRBF): records are parsed per the specification, member values
 * followed through their type information, and every type and assembly named is judged against the
 * ysoserial.net gadget types. Nothing is instantiated. Base64 streams ({@code AAEAAAD/////}) are
 * decoded first.
 */
public final class NrbfScanner implements FormatScanner {
    private static final byte[] HEADER = {0x00, 0x01, 0x00, 0x00, 0x00, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    private static final List<String> GADGETS = List.of("System.Windows.Data.ObjectDataProvider", "System.Diagnostics.Process",
            "System.DelegateSerializationHolder", "System.Collections.Generic.ComparisonComparer",
            "Microsoft.VisualStudio.Text.Formatting.TextFormattingRunProperties", "System.Management.Automation.PSObject",
            "System.Security.Principal.WindowsIdentity", "System.Security.Principal.WindowsPrincipal",
            "System.Security.Claims.ClaimsIdentity", "System.Security.Claims.ClaimsPrincipal", "System.Security.Principal.GenericPrincipal",
            "System.Web.Security.RolePrincipal", "System.IdentityModel.Tokens.SessionSecurityToken",
            "System.Web.UI.MobileControls.SessionViewState", "System.Data.DataSet", "System.Data.DataTable",
            "System.Workflow.ComponentModel.Serialization.ActivitySurrogateSelector", "System.Windows.Forms.AxHost+State",
            "System.Drawing.Design.ToolboxItemContainer", "System.Resources.ResourceSet", "System.Runtime.Remoting.ObjRef",
            "System.Windows.ResourceDictionary", "System.Windows.Markup.XamlReader", "System.Data.Services.Internal.ExpandedWrapper",
            "System.Configuration.SettingsPropertyValue", "Microsoft.IdentityModel.Claims.WindowsClaimsIdentity",
            "System.Web.UI.LosFormatter", "System.Web.UI.ObjectStateFormatter", "System.Runtime.Serialization.Formatters.Binary.BinaryFormatter");
    private static final int MAX_DEPTH = 128;
    private static final int MAX_RECORDS = 2_000_000;

    @Override
    public String format() {
        return "dotnet-binaryformatter";
    }

    @Override
    public boolean detect(Head head) {
        return head.startsWith(HEADER) || head.startsWithAscii("AAEAAAD/////");
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        if (head.startsWithAscii("AAEAAAD/////")) {
            byte[] text = artifact.source().readAt(0, (int) Math.min(artifact.size(), ctx.limits().maxHeaderBytes()));
            int n = 0;
            while (n < text.length && (Character.isLetterOrDigit(text[n]) || text[n] == '+' || text[n] == '/' || text[n] == '=')) n++;
            try {
                ctx.scanChild(artifact.child("base64", ByteSource.of(Base64.getDecoder().decode(new String(text, 0, n, StandardCharsets.US_ASCII)))));
            } catch (IllegalArgumentException e) {
                ctx.error(artifact, 0, "nrbf-bad-base64", "base64 BinaryFormatter stream does not decode: " + e.getMessage());
            }
            return;
        }
        Parser p = new Parser(artifact.source());
        String failure = null;
        try {
            p.stream();
        } catch (Bad e) {
            failure = e.getMessage() + " at offset " + e.offset;
        }
        for (Map.Entry<String, Long> t : p.types.entrySet()) {
            String type = t.getKey();
            String gadget = GADGETS.stream().filter(type::contains).findFirst().orElse(null);
            if (gadget != null) {
                ctx.finding(artifact, t.getValue(), "nrbf-gadget", Severity.CRITICAL,
                        type + ": a ysoserial.net gadget type; BinaryFormatter.Deserialize runs code with it", type, "ysoserial.net");
            } else if (!type.startsWith("System.") && !type.startsWith("Microsoft.") && !type.equals("mscorlib")) {
                ctx.finding(artifact, t.getValue(), "nrbf-unknown-type", Severity.MEDIUM,
                        type + ": an application type is instantiated by BinaryFormatter", type, "");
            }
        }
        if (failure != null) ctx.error(artifact, -1, "nrbf-malformed", "BinaryFormatter stream: " + failure);
        ctx.finding(artifact, 0, "nrbf-format", Severity.INFO, "BinaryFormatter (MS-NRBF) stream with " + p.types.size()
                + " types; BinaryFormatter is unsafe for any untrusted input (removed in .NET 9)", String.join(", ", p.libraries.values()), "");
    }

    private static final class Bad extends IOException {
        final long offset;

        Bad(long offset, String m) {
            super(m);
            this.offset = offset;
        }
    }

    /** Class metadata by object id, for ClassWithId records. */
    private record ClassMeta(String name, int[] binaryTypes, Object[] extra, boolean typed, int members) { }

    private static final class Parser {
        private final ByteSource src;
        private long pos;
        private final long end;
        private final byte[] b8 = new byte[8];
        final Map<String, Long> types = new LinkedHashMap<>();
        final Map<Integer, String> libraries = new LinkedHashMap<>();
        private final Map<Integer, ClassMeta> classes = new HashMap<>();
        private int depth;
        private int records;

        Parser(ByteSource src) {
            this.src = src;
            this.end = src.size();
        }

        void stream() throws IOException {
            while (pos < end) {
                if (record() == 11) return;
            }
            throw new Bad(pos, "stream ends without MessageEnd");
        }

        /** Reads one record; returns its type. */
        private int record() throws IOException {
            if (++records > MAX_RECORDS) throw new Bad(pos, "more than " + MAX_RECORDS + " records");
            if (++depth > MAX_DEPTH) throw new Bad(pos, "records nested deeper than " + MAX_DEPTH);
            try {
                long at = pos;
                int type = u1();
                switch (type) {
                    case 0 -> skip(16);
                    case 12 -> {
                        int id = i4();
                        String name = lps();
                        if (libraries.size() < 10_000) libraries.put(id, name);
                    }
                    case 1 -> {
                        i4();
                        int meta = i4();
                        ClassMeta m = classes.get(meta);
                        if (m == null) throw new Bad(at, "ClassWithId refers to unknown class metadata " + meta);
                        values(m);
                    }
                    case 2, 3, 4, 5 -> {
                        int objectId = i4();
                        String name = lps();
                        int count = i4();
                        if (count < 0 || count > end - pos) throw new Bad(at, "implausible member count " + count);
                        for (int i = 0; i < count; i++) lps();
                        note(name, at);
                        int[] bt = new int[count];
                        Object[] extra = new Object[count];
                        boolean typed = type == 4 || type == 5;
                        if (typed) {
                            for (int i = 0; i < count; i++) bt[i] = u1();
                            for (int i = 0; i < count; i++) extra[i] = additional(bt[i], at);
                        }
                        if (type == 3 || type == 5) i4();
                        ClassMeta m = new ClassMeta(name, bt, extra, typed, count);
                        if (classes.size() < 1_000_000) classes.put(objectId, m);
                        values(m);
                    }
                    case 6 -> {
                        i4();
                        lps();
                    }
                    case 7 -> binaryArray(at);
                    case 8 -> primitive(u1(), at);
                    case 9 -> i4();
                    case 10, 11 -> { }
                    case 13 -> u1();
                    case 14 -> i4();
                    case 15 -> {
                        i4();
                        int len = i4();
                        int prim = u1();
                        if (len < 0) throw new Bad(at, "negative array length");
                        int w = width(prim);
                        if (w > 0) skip((long) len * w);
                        else for (int i = 0; i < len; i++) primitive(prim, at);
                    }
                    case 16, 17 -> {
                        i4();
                        elements(i4(), at);
                    }
                    case 21, 22 -> throw new Bad(at, "remoting method call records are not supported");
                    default -> throw new Bad(at, "unknown record type " + type);
                }
                return type;
            } finally {
                depth--;
            }
        }

        private void values(ClassMeta m) throws IOException {
            for (int i = 0; i < m.members(); i++) {
                if (!m.typed()) {
                    record();
                    continue;
                }
                if (m.binaryTypes()[i] == 0) {
                    primitive((Integer) m.extra()[i], pos);
                } else {
                    int t = record();
                    if (t == 13 || t == 14) throw new Bad(pos, "null run used as a single member value");
                }
            }
        }

        private void elements(int len, long at) throws IOException {
            if (len < 0 || len > end - pos) throw new Bad(at, "implausible array length " + len);
            int i = 0;
            while (i < len) {
                long before = pos;
                int t = record();
                if (t == 13 || t == 14) {
                    byte[] x = src.readAt(before + 1, t == 13 ? 1 : 4);
                    int n = t == 13 ? (x[0] & 0xFF) : (x[0] & 0xFF) | (x[1] & 0xFF) << 8 | (x[2] & 0xFF) << 16 | (x[3] & 0xFF) << 24;
                    i += Math.max(1, n);
                } else {
                    i++;
                }
            }
        }

        private void binaryArray(long at) throws IOException {
            i4();
            int arrayType = u1();
            int rank = i4();
            if (rank < 1 || rank > 32) throw new Bad(at, "implausible array rank " + rank);
            long total = 1;
            for (int i = 0; i < rank; i++) {
                int len = i4();
                if (len < 0) throw new Bad(at, "negative array length");
                total = Math.multiplyExact(total, (long) len);
            }
            if (arrayType == 3 || arrayType == 4 || arrayType == 5) skip(4L * rank);
            int bt = u1();
            Object extra = additional(bt, at);
            if (total > end - pos) throw new Bad(at, "array of " + total + " elements exceeds the stream");
            if (bt == 0) {
                int w = width((Integer) extra);
                if (w > 0) skip(total * w);
                else for (long i = 0; i < total; i++) primitive((Integer) extra, at);
            } else {
                elements((int) total, at);
            }
        }

        private Object additional(int binaryType, long at) throws IOException {
            return switch (binaryType) {
                case 0, 7 -> u1();
                case 3 -> {
                    String n = lps();
                    note(n, at);
                    yield n;
                }
                case 4 -> {
                    String n = lps();
                    i4();
                    note(n, at);
                    yield n;
                }
                case 1, 2, 5, 6 -> null;
                default -> throw new Bad(at, "unknown binary type " + binaryType);
            };
        }

        private void primitive(int prim, long at) throws IOException {
            int w = width(prim);
            if (w > 0) {
                skip(w);
            } else if (prim == 3) {
                int first = u1();
                int extra = first >= 0xF0 ? 3 : first >= 0xE0 ? 2 : first >= 0xC0 ? 1 : 0;
                skip(extra);
            } else if (prim == 5 || prim == 18) {
                lps();
            } else if (prim != 17) {
                throw new Bad(at, "unknown primitive type " + prim);
            }
        }

        private static int width(int prim) {
            return switch (prim) {
                case 1, 2, 10 -> 1;
                case 7, 14 -> 2;
                case 8, 11, 15 -> 4;
                case 6, 9, 12, 13, 16 -> 8;
                default -> 0;
            };
        }

        private void note(String type, long at) {
            if (types.size() < 100_000) types.putIfAbsent(type, at);
        }

        private String lps() throws IOException {
            long len = 0;
            for (int shift = 0; shift <= 28; shift += 7) {
                int b = u1();
                len |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
                if (shift == 28) throw new Bad(pos, "length prefix longer than 5 bytes");
            }
            if (len > end - pos) throw new Bad(pos, "string of " + len + " bytes exceeds the stream");
            int keep = (int) Math.min(len, 4096);
            byte[] b = new byte[keep];
            src.readFully(pos, b, 0, keep);
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        private int u1() throws IOException {
            if (pos >= end) throw new Bad(pos, "stream ends early");
            src.readFully(pos++, b8, 0, 1);
            return b8[0] & 0xFF;
        }

        private int i4() throws IOException {
            if (pos + 4 > end) throw new Bad(pos, "stream ends early");
            src.readFully(pos, b8, 0, 4);
            pos += 4;
            return (b8[0] & 0xFF) | (b8[1] & 0xFF) << 8 | (b8[2] & 0xFF) << 16 | (b8[3] & 0xFF) << 24;
        }

        private void skip(long n) throws Bad {
            if (n < 0 || n > end - pos) throw new Bad(pos, "data runs past the end of the stream");
            pos += n;
        }
    }
}
