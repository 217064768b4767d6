package dev.modelvet.format.javaser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelvet.detect.Head;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Java serialization streams ({@code AC ED 00 05}, or base64 {@code rO0AB}): every class the stream
 * names is listed without deserializing anything, and judged against a gadget list kept as data
 * ({@code gadgets.json}). Non-JDK classes that are not on it are suspicious.
 */
public final class JavaSerializationScanner implements FormatScanner {
    private record Rule(String id, Severity severity, String message, String reference, List<String> classes) { }

    private static final List<Rule> RULES = new ArrayList<>();
    private static final List<String> JDK = new ArrayList<>();

    static {
        try (InputStream in = JavaSerializationScanner.class.getResourceAsStream("gadgets.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            for (JsonNode r : root.path("rules")) {
                List<String> classes = new ArrayList<>();
                r.path("classes").forEach(c -> classes.add(c.asText()));
                RULES.add(new Rule(r.path("id").asText(), Severity.parse(r.path("severity").asText()), r.path("message").asText(),
                        r.path("reference").asText(), classes));
            }
            root.path("jdkPrefixes").forEach(p -> JDK.add(p.asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String format() {
        return "java-serialization";
    }

    @Override
    public boolean detect(Head head) {
        return head.startsWith((byte) 0xAC, (byte) 0xED, (byte) 0x00, (byte) 0x05) || head.startsWithAscii("rO0AB");
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        if (head.startsWithAscii("rO0AB")) {
            byte[] text = artifact.source().readAt(0, (int) Math.min(artifact.size(), ctx.limits().maxHeaderBytes()));
            int n = 0;
            while (n < text.length && isBase64(text[n])) n++;
            byte[] decoded;
            try {
                decoded = Base64.getMimeDecoder().decode(new String(text, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                ctx.error(artifact, 0, "javaser-bad-base64", "base64 Java serialization stream does not decode: " + e.getMessage());
                return;
            }
            ctx.scanChild(artifact.child("base64", ByteSource.of(decoded)));
            return;
        }
        JavaStreamParser p = new JavaStreamParser(artifact.source(), 0);
        String failure = null;
        long failedAt = -1;
        try {
            p.parse();
        } catch (JavaStreamParser.StreamException e) {
            failure = e.getMessage();
            failedAt = e.offset;
        }
        boolean hashMap = p.classes.containsKey("java.util.HashMap") || p.classes.containsKey("java.util.Hashtable");
        int reported = 0;
        for (JavaStreamParser.NamedClass c : p.classes.values()) {
            Rule rule = ruleFor(c.name());
            if (rule != null) {
                ctx.finding(artifact, c.offset(), rule.id(), rule.severity(), c.name() + ": " + rule.message(),
                        c.name() + (c.proxyInterface() ? " (proxy interface)" : ""), rule.reference());
                reported++;
            } else if (c.name().equals("java.net.URL") && hashMap) {
                ctx.finding(artifact, c.offset(), "javaser-urldns", Severity.HIGH,
                        "java.net.URL inside a HashMap: deserializing resolves the host (URLDNS probe, blind SSRF)",
                        c.name(), "ysoserial URLDNS");
            } else if (!isJdk(c.name())) {
                ctx.finding(artifact, c.offset(), "javaser-unknown-class", Severity.MEDIUM,
                        c.name() + ": a non-JDK class is instantiated by deserialization (its readObject runs)", c.name(), "");
            }
        }
        if (failure != null) {
            ctx.error(artifact, failedAt, "javaser-malformed", "Java serialization stream: " + failure
                    + (reported > 0 ? " (classes before this point are reported)" : ""));
        }
        ctx.finding(artifact, 0, "javaser-format", Severity.INFO, "Java serialization stream with " + p.classes.size()
                + " classes: ObjectInputStream.readObject on it runs their readObject methods; use an ObjectInputFilter", "", "");
    }

    private static Rule ruleFor(String cls) {
        for (Rule r : RULES) {
            for (String c : r.classes()) {
                if (c.endsWith(".") || c.endsWith("$") ? cls.startsWith(c) : cls.equals(c) || cls.startsWith(c + "$")) return r;
            }
        }
        return null;
    }

    private static boolean isJdk(String cls) {
        for (String p : JDK) if (cls.startsWith(p)) return true;
        return false;
    }

    private static boolean isBase64(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/' || b == '='
                || b == '\n' || b == '\r';
    }
}
