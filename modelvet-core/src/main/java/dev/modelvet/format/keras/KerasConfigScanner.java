package dev.modelvet.format.keras;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonFactory;
import dev.modelvet.detect.Head;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** A Keras model configuration in JSON: the {@code config.json} of a .keras archive, or a saved {@code model.json}. */
public final class KerasConfigScanner implements FormatScanner {
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).maxStringLength(64 << 20).build()).build());

    /** A tree of this much JSON fits comfortably in the 512 MiB the CLI runs with. */
    private static final long MAX_CONFIG = 32L << 20;

    @Override
    public String format() {
        return "keras-config";
    }

    @Override
    public boolean detect(Head head) {
        String text = new String(head.bytes(), StandardCharsets.UTF_8).stripLeading();
        return text.startsWith("{") && text.contains("\"class_name\"") && text.contains("\"config\"")
                && (text.contains("\"module\"") || text.contains("\"keras_version\"") || text.contains("\"backend\"")
                || text.contains("\"layers\""));
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        if (artifact.size() > MAX_CONFIG) {
            ctx.error(artifact, 0, "keras-config-too-large", "Keras config of " + artifact.size() + " bytes exceeds the limit of " + MAX_CONFIG);
            return;
        }
        JsonNode root;
        try (InputStream in = artifact.source().openStream(0)) {
            root = JSON.readTree(in);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            ctx.error(artifact, e.getLocation() == null ? -1 : e.getLocation().getByteOffset(), "keras-config-json",
                    "Keras config is not valid JSON: " + e.getOriginalMessage());
            return;
        }
        new KerasConfig().check(artifact, root, ctx, "config");
        ctx.finding(artifact, -1, "keras-format", Severity.INFO, "Keras model configuration " + root.path("class_name").asText(""), "", "");
    }

    static void parse(String json, Artifact artifact, ScanContext ctx, String where) {
        try {
            JsonNode root = JSON.readTree(json);
            new KerasConfig().check(artifact, root, ctx, where);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            ctx.error(artifact, -1, "keras-config-json", where + " is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
