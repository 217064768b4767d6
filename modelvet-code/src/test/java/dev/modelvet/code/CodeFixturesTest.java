package dev.modelvet.code;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every fixture's findings equal its {@code expect:} markers, line by line. */
class CodeFixturesTest {
    private static final Pattern EXPECT = Pattern.compile("expect:\\s*([a-z0-9,\\s-]+)");

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("fixtures/code"))) p = p.getParent();
        return p.resolve("fixtures/code");
    }

    @TestFactory
    Stream<DynamicTest> findingsMatchTheMarkers() throws IOException {
        List<Path> files;
        try (Stream<Path> w = Files.walk(root())) {
            files = w.filter(f -> CodeScanner.languageOf(f) != null).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(8);
        return files.stream().map(f -> DynamicTest.dynamicTest(root().relativize(f).toString(), () -> {
            Set<String> expected = new TreeSet<>();
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = EXPECT.matcher(lines.get(i));
                if (m.find()) for (String r : m.group(1).split(",")) expected.add((i + 1) + " " + r.strip());
            }
            ArtifactResult r = new CodeScanner().scanFile(f);
            Set<String> actual = new TreeSet<>();
            for (Finding x : r.findings()) actual.add(x.line() + " " + x.ruleId());
            assertThat(actual).as(f + " findings " + r.findings()).isEqualTo(expected);
        }));
    }

    @Test
    void taintRaisesAndSyntaxErrorsAreReportedNotFatal() {
        ArtifactResult web = new CodeScanner().scanFile(root().resolve("python/web_service.py"));
        // request.data flows straight in; the upload is read into a variable first; the cache file is local
        assertThat(web.findings()).filteredOn(f -> f.line() == 13).singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(dev.modelvet.scan.Severity.CRITICAL));
        assertThat(web.findings()).filteredOn(f -> f.line() == 20).singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(dev.modelvet.scan.Severity.CRITICAL));
        assertThat(web.findings()).filteredOn(f -> f.line() == 26).singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(dev.modelvet.scan.Severity.HIGH));
        ArtifactResult rmi = new CodeScanner().scanFile(root().resolve("java/RmiEndpoint.java"));
        assertThat(rmi.findings()).isNotEmpty().allSatisfy(f -> {
            assertThat(f.severity()).isEqualTo(dev.modelvet.scan.Severity.CRITICAL);
            assertThat(f.message()).contains("external input");
        });
        ArtifactResult local = new CodeScanner().scanFile(root().resolve("java/Deserialize.java"));
        assertThat(local.findings()).allSatisfy(f -> assertThat(f.severity()).isEqualTo(dev.modelvet.scan.Severity.HIGH));
        ArtifactResult broken = new CodeScanner().scanFile(root().resolve("python/syntax_error.py"));
        assertThat(broken.errors()).singleElement().satisfies(e -> assertThat(e.code()).isEqualTo("code-syntax"));
    }

    @Test
    void theModelScannerRunsTheCodeScannerOnPythonFilesByServiceLoader() {
        assertThat(dev.modelvet.scan.SourceAnalyzer.find()).isPresent();
        ArtifactResult r = dev.modelvet.scan.Scanner.builder().build().scan(root().resolve("python/web_service.py"));
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.ruleId()).isEqualTo("py-pickle-load"));
    }
}
