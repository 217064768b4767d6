package dev.modelvet.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.modelvet.policy.Policy;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.Report;
import dev.modelvet.scan.Scanner;
import java.io.InputStream;
import java.io.StringWriter;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The SARIF output validates against the official SARIF 2.1.0 JSON schema. */
class SarifSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void reportWithFindingsNestedPathsAndErrorsIsSchemaValid() throws Exception {
        Scanner scanner = Scanner.builder().build();
        byte[] malicious = HexFormat.of().parseHex("80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e");
        byte[] nested = HexFormat.of().parseHex("8004") ; // truncated on purpose: an error
        Report report = new Report("0.1.0", "test", Instant.now(), 1, List.of(
                scanner.scan("models/bad.pkl", ByteSource.of(malicious)),
                scanner.scan("models/broken.pkl", ByteSource.of(nested))));
        StringWriter out = new StringWriter();
        new SarifWriter(new RuleCatalog(Policy.bundled())).write(report, out);
        JsonNode sarif = JSON.readTree(out.toString());

        JsonSchema schema;
        try (InputStream in = SarifSchemaTest.class.getResourceAsStream("/schema/sarif-schema-2.1.0.json")) {
            assertThat(in).as("SARIF schema on the test classpath").isNotNull();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
        Set<ValidationMessage> problems = schema.validate(sarif);
        assertThat(problems).isEmpty();
        // and the check can fail: an invalid level is caught
        JsonNode broken = sarif.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.at("/runs/0/results/0")).put("level", "fatal");
        assertThat(schema.validate(broken)).isNotEmpty();

        JsonNode rule = sarif.at("/runs/0/tool/driver/rules/0");
        assertThat(rule.path("shortDescription").path("text").asText()).isNotBlank();
        assertThat(rule.path("help").path("text").asText()).isNotBlank();
        assertThat(rule.path("properties").path("security-severity").asText()).isNotBlank();
    }

    /** GitHub's ingestion: every result has a region with a startLine; INFO notes are not alerts. */
    @Test
    void everyResultHasAStartLineAndInfoFindingsAreLeftOut() throws Exception {
        Scanner scanner = Scanner.builder().build();
        byte[] malicious = HexFormat.of().parseHex("80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e");
        byte[] benign = HexFormat.of().parseHex("8004950a000000000000007d948c0161944b01732e");
        var good = scanner.scan("models/good.pkl", ByteSource.of(benign));
        assertThat(good.findings()).anyMatch(f -> f.severity() == dev.modelvet.scan.Severity.INFO);
        Report report = new Report("0.1.0", "test", Instant.now(), 1, List.of(good, scanner.scan("models/bad.pkl", ByteSource.of(malicious))));
        StringWriter out = new StringWriter();
        new SarifWriter(new RuleCatalog(Policy.bundled())).write(report, out);
        JsonNode results = JSON.readTree(out.toString()).at("/runs/0/results");
        assertThat(results.size()).isPositive();
        for (JsonNode r : results) {
            assertThat(r.path("level").asText()).isNotEqualTo("note");
            assertThat(r.at("/locations/0/physicalLocation/artifactLocation/uri").asText()).isEqualTo("models/bad.pkl");
            assertThat(r.at("/locations/0/physicalLocation/region/startLine").asInt()).isGreaterThanOrEqualTo(1);
        }
    }
}
