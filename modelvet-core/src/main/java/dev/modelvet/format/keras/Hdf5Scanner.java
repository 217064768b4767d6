package dev.modelvet.format.keras;

import dev.modelvet.detect.Head;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.FileByteSource;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.links.ExternalLink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * HDF5 files (legacy Keras .h5 models, .keras weights) read with jHDF: the root attributes Keras
 * writes ({@code model_config}, {@code training_config}) are judged like a .keras config, and
 * external links, which make a loader open other files, are reported. Dataset contents are never read.
 */
public final class Hdf5Scanner implements FormatScanner {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final long MAX_ATTRIBUTE_BYTES = 32L << 20;
    private static final long MAX_IN_MEMORY = 64L << 20;

    @Override
    public String format() {
        return "hdf5";
    }

    @Override
    public boolean detect(Head head) {
        for (int off : new int[] {0, 512, 1024, 2048, 4096, 8192, 16384, 32768}) {
            if (head.startsWith(off, SIGNATURE)) return true;
        }
        return false;
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        Path temp = null;
        try {
            HdfFile hdf;
            ByteSource src = artifact.source();
            if (src instanceof FileByteSource f && f.path() != null) {
                hdf = new HdfFile(f.path());
            } else if (src.size() <= MAX_IN_MEMORY) {
                hdf = HdfFile.fromBytes(src.readAt(0, (int) src.size()));
            } else {
                temp = Files.createTempFile("modelvet-", ".h5");
                try (var in = src.openStream(0)) {
                    Files.copy(in, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                hdf = new HdfFile(temp);
            }
            try (hdf) {
                inspect(artifact, hdf, ctx);
            }
        } catch (RuntimeException | StackOverflowError e) {
            ctx.error(artifact, -1, "hdf5-malformed", "HDF5: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } finally {
            if (temp != null) Files.deleteIfExists(temp);
        }
    }

    private static void inspect(Artifact artifact, HdfFile hdf, ScanContext ctx) {
        Map<String, Attribute> attrs = hdf.getAttributes();
        boolean keras = false;
        for (String name : new String[] {"model_config", "training_config"}) {
            String json = text(attrs.get(name));
            if (json == null) continue;
            keras = true;
            KerasConfigScanner.parse(json, artifact, ctx, "HDF5 attribute " + name);
        }
        int links = externalLinks(artifact, hdf, ctx, 0);
        String version = text(attrs.get("keras_version"));
        ctx.finding(artifact, -1, "hdf5-format", Severity.INFO, keras ? "Keras HDF5 model" + (version == null ? "" : " (Keras " + version + ")")
                : "HDF5 file" + (links > 0 ? " with external links" : ""), "", "");
    }

    private static int externalLinks(Artifact artifact, Group group, ScanContext ctx, int depth) {
        if (depth > 8) return 0;
        int found = 0;
        for (Node child : group.getChildren().values()) {
            if (child instanceof ExternalLink link) {
                found++;
                ctx.finding(artifact, -1, "hdf5-external-link", Severity.MEDIUM,
                        "HDF5 external link: opening this file makes the HDF5 library open another file", link.getPath() + " -> "
                                + link.getTargetPath(), "keras 8a37f9d");
            } else if (child instanceof Group g && !child.isLink()) {
                found += externalLinks(artifact, g, ctx, depth + 1);
            }
        }
        return found;
    }

    private static String text(Attribute a) {
        if (a == null || a.getSize() * Math.max(1, a.getDataType().getSize()) > MAX_ATTRIBUTE_BYTES) return null;
        Object v = a.getData();
        if (v instanceof String s) return s;
        if (v instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (v instanceof String[] arr && arr.length > 0) return String.join("", arr);
        return null;
    }
}
