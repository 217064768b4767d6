package dev.modelvet.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelvet.policy.Policy;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.Report;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Severity;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Names and evidence from a hostile file cannot drive the terminal, and JSON/SARIF keep them exact. */
class TerminalEscapingTest {
    private static final Scanner SCANNER = Scanner.builder().build();

    /** A pickle calling posix.&lt;name&gt;(arg) through STACK_GLOBAL, with strings chosen by the attacker. */
    static byte[] pickle(String module, String name, String arg) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(4);
        for (String s : List.of(module, name)) unicode(out, s);
        out.write(0x93); // STACK_GLOBAL
        unicode(out, arg);
        out.write(0x85); // TUPLE1
        out.write('R'); // REDUCE
        out.write('.');
        return out.toByteArray();
    }

    private static void unicode(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(0x8c);
        out.write(b.length);
        out.writeBytes(b);
    }

    /** Each character class the brief names, as they would reach a terminal. */
    @ParameterizedTest
    @ValueSource(strings = {"\u001b[2K\u001b[1A", "\r", "\n", "\t", "\u0007", "\u0000", "\u007f", "\u009b2K", "\u0085",
            "\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\u2028", "\ud800"})
    void everyControlCharacterIsEscapedInTextAndKeptExactInJson(String hostile) throws Exception {
        String path = "models/evil" + hostile + "fine.pkl";
        ArtifactResult r = SCANNER.scan(path, ByteSource.of(pickle("posix", "system" + hostile, "echo " + hostile + "x")));
        assertThat(r.maxSeverity()).isEqualTo(Severity.CRITICAL);
        Report report = new Report("0", "p", Instant.now(), 1, List.of(r));

        String text = write(new TextWriter(new TextWriter.Options(Severity.INFO, false, true)), report);
        assertTerminalSafe(text);
        String firstLine = text.substring(0, text.indexOf('\n'));
        assertThat(firstLine).startsWith("models/evil").endsWith("fine.pkl: MALICIOUS (CRITICAL) [pickle]");
        // (a lone surrogate cannot survive the pickle's UTF-8; it is still in the path)
        if (!hostile.equals("\ud800")) assertThat(text).contains("system" + TerminalText.escape(hostile));

        for (ReportWriter w : List.of(new JsonWriter(), new SarifWriter(new RuleCatalog(Policy.bundled())))) {
            String json = write(w, report);
            assertTerminalSafe(json);
            JsonNode tree = new ObjectMapper().readTree(json);
            List<String> strings = new java.util.ArrayList<>();
            tree.findValues("path").forEach(n -> strings.add(n.asText()));
            tree.findValues("artifactPath").forEach(n -> strings.add(n.asText()));
            if (!hostile.equals("\ud800")) assertThat(strings).as(w.getClass().getSimpleName()).contains(path);
        }
    }

    @Test
    void escapeLeavesOrdinaryTextAndLettersAlone() {
        assertThat(TerminalText.escape("models/日本語 — café/ü.pkl 🙂")).isEqualTo("models/日本語 — café/ü.pkl 🙂");
        assertThat(TerminalText.escape("a\u001b[31mb")).isEqualTo("a\\x1b[31mb");
        assertThat(TerminalText.escape("\u202egnp.exe")).isEqualTo("\\u202egnp.exe");
        assertThat(TerminalText.escape(null)).isEmpty();
    }

    private static String write(ReportWriter w, Report report) throws Exception {
        StringWriter out = new StringWriter();
        w.write(report, out);
        return out.toString();
    }

    /** Only printable text and line ends; fails on any character the brief lists. */
    static void assertTerminalSafe(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') continue;
            boolean bad = c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                    || c == 0x200e || c == 0x200f || c == 0x061c || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c);
            assertThat(bad).as("U+%04X at %d in %s", (int) c, i, s.substring(Math.max(0, i - 40), Math.min(s.length(), i + 40))).isFalse();
        }
    }
}
