package dev.modelvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanCommandTest {
    /** {@code os.system('echo pwned')} at protocol 4. */
    private static final byte[] MALICIOUS = hex("80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e");
    private static final byte[] BENIGN = hex("8004950a000000000000007d948c0161944b01732e");
    private static final byte[] TRUNCATED = hex("8004580a000000616263");

    @TempDir
    Path dir;

    private Path write(String name, byte[] b) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
        return p;
    }

    @Test
    void exitCodesFollowTheContract() throws IOException {
        Path bad = write("bad.bin", MALICIOUS);
        Path good = write("good.pkl", BENIGN);
        Path broken = write("broken.pkl", TRUNCATED);
        Path out = dir.resolve("r.txt");
        assertThat(Main.run("scan", "-o", out.toString(), good.toString())).isZero();
        assertThat(Main.run("scan", "-o", out.toString(), bad.toString())).isEqualTo(1);
        assertThat(Main.run("scan", "-o", out.toString(), broken.toString())).isEqualTo(2);
        assertThat(Main.run("scan", "-o", out.toString(), broken.toString(), bad.toString())).isEqualTo(1);
        assertThat(Main.run("scan", "-o", out.toString(), "--fail-on", "critical", good.toString())).isZero();
        assertThat(Main.run("scan", "--fail-on", "nonsense", good.toString())).isEqualTo(3);
        assertThat(Main.run("scan", "-o", out.toString(), dir.resolve("missing").toString())).isEqualTo(2);
    }

    @Test
    void directoryWithOneBadFileStillReportsEveryFile() throws IOException {
        write("d/a.pkl", BENIGN);
        write("d/sub/b.bin", MALICIOUS);
        write("d/c.pkl", TRUNCATED);
        write("d/readme.txt", "hello".getBytes(StandardCharsets.US_ASCII));
        Path out = dir.resolve("r.json");
        int rc = Main.run("scan", "--format", "json", "-o", out.toString(), dir.resolve("d").toString());
        assertThat(rc).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertThat(json.path("schemaVersion").asInt()).isEqualTo(1);
        assertThat(json.path("summary").path("scanned").asInt()).isEqualTo(4);
        assertThat(json.path("summary").path("malicious").asInt()).isEqualTo(1);
        assertThat(json.path("summary").path("error").asInt()).isEqualTo(1);
        assertThat(json.path("summary").path("skipped").asInt()).isEqualTo(1);
        JsonNode finding = null;
        for (JsonNode r : json.path("results")) {
            if (r.path("verdict").asText().equals("malicious")) finding = r.path("findings").get(0);
        }
        assertThat(finding).isNotNull();
        assertThat(finding.path("ruleId").asText()).isNotBlank();
    }

    @Test
    void sarifHasRulesResultsAndNotifications() throws IOException {
        Path bad = write("bad.bin", MALICIOUS);
        Path broken = write("broken.pkl", TRUNCATED);
        Path out = dir.resolve("r.sarif");
        Main.run("scan", "--format", "sarif", "-o", out.toString(), bad.toString(), broken.toString());
        JsonNode sarif = new ObjectMapper().readTree(out.toFile());
        assertThat(sarif.path("version").asText()).isEqualTo("2.1.0");
        JsonNode run = sarif.path("runs").get(0);
        assertThat(run.path("tool").path("driver").path("rules")).isNotEmpty();
        JsonNode result = null;
        for (JsonNode r : run.path("results")) {
            if (r.path("ruleId").asText().equals("pickle-os-command")) result = r;
        }
        assertThat(result).isNotNull();
        assertThat(result.path("level").asText()).isEqualTo("error");
        assertThat(result.path("locations").get(0).path("physicalLocation")
                .path("artifactLocation").path("uri").asText()).endsWith("bad.bin");
        assertThat(result.path("partialFingerprints").path("modelvet/v1").asText()).hasSize(32);
        assertThat(run.path("invocations").get(0).path("toolExecutionNotifications")).isNotEmpty();
    }

    private static byte[] hex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return b;
    }

    /** Default text lists problems and the summary; clean and skipped files only with -v. */
    @org.junit.jupiter.api.Test
    void defaultTextIsShortAndVerboseListsEverything() throws Exception {
        Path d = java.nio.file.Files.createDirectories(dir.resolve("tree"));
        java.nio.file.Files.write(d.resolve("a_good.pkl"), BENIGN);
        java.nio.file.Files.writeString(d.resolve("b_notes.txt"), "just text\n");
        java.nio.file.Files.write(d.resolve("c_bad.pkl"), MALICIOUS);
        Path out = dir.resolve("report.txt");
        assertThat(Main.run("scan", "--no-cache", "-o", out.toString(), d.toString())).isEqualTo(1);
        String text = java.nio.file.Files.readString(out);
        assertThat(text).contains("c_bad.pkl: MALICIOUS", "Scanned files: 3").doesNotContain("a_good.pkl", "b_notes.txt", "skipped");
        assertThat(Main.run("scan", "--no-cache", "-v", "-o", out.toString(), d.toString())).isEqualTo(1);
        assertThat(java.nio.file.Files.readString(out)).contains("a_good.pkl", "b_notes.txt: skipped", "c_bad.pkl: MALICIOUS");
    }
}
