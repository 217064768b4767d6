package dev.modelvet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the bytes, a scan returns a result: no exception escapes, and the limits keep it bounded.
 */
class ScannerPropertiesTest {
    private static final Scanner SCANNER = Scanner.builder().build();
    private static final byte[][] SEEDS = {
            hex("80049523000000000000008c026f73948c0673797374656d9493948c026964948594529394"),
            "cos\nsystem\n(S'id'\ntR.".getBytes(StandardCharsets.ISO_8859_1),
            hex("8002637472616e73666f726d6572730a58"),
            hex("504b0304140000000000"),
            hex("934e554d5059010076007b276465736372273a20273c6634272c"),
            hex("1f8b0800000000000003"),
    };

    @Property(tries = 400)
    void randomBytesNeverEscape(@ForAll @Size(max = 2048) byte[] bytes) {
        ArtifactResult r = SCANNER.scan("random", ByteSource.of(bytes));
        assertThat(r).isNotNull();
        assertThat(r.verdict()).isNotNull();
        assertThat(r.errors()).noneMatch(e -> e.code().equals("internal"));
    }

    @Property(tries = 600)
    void mutatedPicklesAndContainersNeverEscape(@ForAll("mutations") byte[] bytes) {
        ArtifactResult r = SCANNER.scan("mutated", ByteSource.of(bytes));
        assertThat(r).isNotNull();
        assertThat(r.errors()).allSatisfy(e -> assertThat(e.message()).isNotBlank());
        assertThat(r.errors()).as("scanner bug (internal error)").noneMatch(e -> e.code().equals("internal"));
    }

    /** One real fixture per format, mutated: every parser sees broken versions of well-formed input. */
    private static final String[] FORMAT_SEEDS = {
            "fixtures/ml/torch_state_dict.pt", "fixtures/ml/torch_legacy.pt", "fixtures/ml/sklearn_rf.joblib",
            "fixtures/ml/arrays.npz", "fixtures/ml/object_array.npy", "fixtures/ml/mal_tar.tar", "fixtures/ml/mal_7z.7z",
            "fixtures/ml/sklearn_lr.gzip.joblib", "fixtures/ml/sklearn_lr.xz.joblib", "fixtures/safetensors/valid.safetensors",
            "fixtures/gguf/benign_chatml.gguf", "fixtures/gguf/evil_subclasses_popen.gguf", "fixtures/onnx/nested_if_pyop.onnx",
            "fixtures/tensorflow/saved_model.pb", "fixtures/keras/dense.h5", "fixtures/keras/lambda_os_system.keras",
            "fixtures/javaser/templatesimpl.ser", "fixtures/dotnet/typeconfusedelegate.bin", "fixtures/yaml/snakeyaml_jdbc.yaml",
            "fixtures/gguf/evil_tokenizer_config_list.json", "fixtures/skops/benign_pipeline.skops",
            "fixtures/skops/operator_call.skops", "fixtures/native/model.llamafile", "fixtures/pandas/timezones_frame_p4.pkl",
            "fixtures/torch_checkpoints/checkpoint.pt", "fixtures/pickle/malicious/b09_garbage_then_stream.pkl",
            "fixtures/yaml/pyyaml_tag_directive.yaml", "fixtures/containers/benign.tar"};

    @Property(tries = 1500)
    void mutatedFilesOfEveryFormatNeverEscape(@ForAll("formatMutations") byte[] bytes) {
        ArtifactResult r = SCANNER.scan("mutated", ByteSource.of(bytes));
        assertThat(r).isNotNull();
        assertThat(r.errors()).as("scanner bug (internal error)").noneMatch(e -> e.code().equals("internal"));
    }

    @Provide
    Arbitrary<byte[]> formatMutations() {
        java.nio.file.Path root = dev.modelvet.fixtures.FixtureManifestTest.repoRoot();
        java.util.List<byte[]> seeds = new java.util.ArrayList<>();
        for (String f : FORMAT_SEEDS) {
            try {
                seeds.add(java.nio.file.Files.readAllBytes(root.resolve(f)));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("fixture missing: " + f, e);
            }
        }
        return Arbitraries.of(seeds).flatMap(s -> Arbitraries.integers().between(0, s.length - 1).list().ofMinSize(1).ofMaxSize(8)
                .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size())
                        .map(values -> mutate(s, positions, values))));
    }

    @Provide
    Arbitrary<byte[]> mutations() {
        Arbitrary<byte[]> seed = Arbitraries.of(SEEDS);
        return seed.flatMap(s -> Arbitraries.integers().between(0, Math.max(0, s.length - 1)).list().ofMaxSize(6)
                .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size())
                        .map(values -> mutate(s, positions, values))));
    }

    private static byte[] mutate(byte[] seed, java.util.List<Integer> positions, java.util.List<Byte> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] copy = seed.clone();
        for (int i = 0; i < positions.size(); i++) copy[positions.get(i)] = values.get(i);
        int cut = positions.isEmpty() ? copy.length : Math.max(1, copy.length - positions.get(0) % 7);
        out.write(copy, 0, cut);
        return out.toByteArray();
    }

    private static byte[] hex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return b;
    }
}
