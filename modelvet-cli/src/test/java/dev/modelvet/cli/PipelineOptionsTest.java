package dev.modelvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelvet.scan.BatchScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config file, trusted hashes, ignores, quarantine and parallel scanning through the CLI. */
class PipelineOptionsTest {
    private static final byte[] MALICIOUS = HexFormat.of().parseHex(
            "80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e");
    /** References mylib.Net (unknown global, MEDIUM). */
    private static final byte[] UNKNOWN = HexFormat.of().parseHex("80048c056d796c6962948c034e65749493942e");

    @TempDir
    Path dir;

    private Path write(String name, byte[] b) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
        return p;
    }

    private Path config(String yaml) throws IOException {
        return write("modelvet.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode json(String... args) throws IOException {
        Path out = dir.resolve("out.json");
        List<String> a = new ArrayList<>(List.of("scan", "--format", "json", "-o", out.toString()));
        a.addAll(List.of(args));
        Main.run(a.toArray(String[]::new));
        return new ObjectMapper().readTree(out.toFile());
    }

    @Test
    void trustedHashSkipsTheFile() throws IOException {
        Path bad = write("m/bad.pkl", MALICIOUS);
        Path cfg = config("trusted:\n  sha256:\n    - " + BatchScanner.sha256(bad) + "\n");
        assertThat(Main.run("scan", "--config", cfg.toString(), "-o", dir.resolve("r").toString(), bad.toString())).isZero();
        JsonNode r = json("--config", cfg.toString(), bad.toString()).path("results").get(0);
        assertThat(r.path("format").asText()).isEqualTo("trusted");
        assertThat(r.path("verdict").asText()).isEqualTo("clean");
    }

    @Test
    void ignoresAndSeverityOverridesApply() throws IOException {
        Path unknown = write("m/legacy/net.pkl", UNKNOWN);
        Path bad = write("m/bad.pkl", MALICIOUS);
        Path cfg = config("fail-on: medium\nignore:\n  - {rule: pickle-unknown-global, path: \"legacy/**\"}\n"
                + "severity:\n  pickle-os-command: low\n");
        assertThat(Main.run("scan", "--config", cfg.toString(), "-o", dir.resolve("r").toString(), unknown.toString(), bad.toString())).isZero();
        assertThat(Main.run("scan", "--no-config", "--fail-on", "medium", "-o", dir.resolve("r").toString(), unknown.toString())).isEqualTo(1);
    }

    @Test
    void badConfigNamesTheLine() throws IOException {
        Path cfg = config("fail-on: high\nignroe:\n  - {rule: x}\n");
        Path good = write("m/x.pkl", UNKNOWN);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run("scan", "--config", cfg.toString(), good.toString())).isEqualTo(3);
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("modelvet.yaml:2:").contains("ignroe");
    }

    @Test
    void quarantineMovesOnlyBlockingFilesAndRestores() throws IOException {
        Path bad = write("m/bad.pkl", MALICIOUS);
        Path ok = write("m/ok.pkl", UNKNOWN);
        Path q = dir.resolve("quarantine");
        int rc = Main.run("scan", "--no-config", "--quarantine", q.toString(), "-o", dir.resolve("r").toString(), dir.resolve("m").toString());
        assertThat(rc).isEqualTo(1);
        assertThat(bad).doesNotExist();
        assertThat(ok).exists();
        List<Path> records;
        try (var s = Files.list(q)) {
            records = s.filter(p -> p.toString().endsWith(".modelvet.json")).toList();
        }
        assertThat(records).hasSize(1);
        JsonNode rec = new ObjectMapper().readTree(records.get(0).toFile());
        assertThat(rec.path("originalPath").asText()).isEqualTo(bad.toAbsolutePath().toString());
        assertThat(rec.path("sha256").asText()).hasSize(64);
        String id = records.get(0).getFileName().toString().replace(".modelvet.json", "");
        assertThat(Main.run("quarantine", "restore", q.toString(), id)).isZero();
        assertThat(Files.readAllBytes(bad)).isEqualTo(MALICIOUS);
    }

    @Test
    void parallelScanKeepsInputOrder() throws IOException {
        for (int i = 0; i < 40; i++) write(String.format("p/f%02d.pkl", i), i % 3 == 0 ? MALICIOUS : UNKNOWN);
        JsonNode one = json("--no-config", "-j", "1", dir.resolve("p").toString());
        JsonNode four = json("--no-config", "-j", "4", dir.resolve("p").toString());
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        one.path("results").forEach(r -> a.add(r.path("path").asText() + r.path("verdict").asText()));
        four.path("results").forEach(r -> b.add(r.path("path").asText() + r.path("verdict").asText()));
        assertThat(b).hasSize(40).isEqualTo(a);
    }
}
