package dev.modelvet.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelvet.fixtures.FixtureManifestTest;
import dev.modelvet.scan.Limits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Converts checkpoints written by real PyTorch/NumPy and compares every tensor byte with what torch read back. */
class SafetensorsConverterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = fixtureRoot().resolve("fixtures/convert");

    @TempDir
    Path tmp;

    private static Path fixtureRoot() {
        return FixtureManifestTest.repoRoot();
    }

    @ParameterizedTest
    @ValueSource(strings = {"state_dict.pt", "state_dict_legacy.pt"})
    void torchCheckpointsMatchTorchByteForByte(String name) throws IOException {
        Path out = tmp.resolve(name + ".safetensors");
        SafetensorsConverter.Result r = new SafetensorsConverter(Limits.defaults()).convert(DIR.resolve(name), out);
        Map<String, String> expected = expected(DIR.resolve("state_dict.expected.json"));
        assertThat(r.tensors()).isEqualTo(expected.size());
        assertThat(r.sharedStorages()).isEqualTo(1);
        assertThat(r.skipped()).containsExactly("epoch = Long");
        Map<String, String> actual = readSafetensors(out);
        assertThat(actual).isEqualTo(expected);
        // and the project's own safetensors validator accepts it
        dev.modelvet.scan.ArtifactResult check = dev.modelvet.scan.Scanner.builder().build().scan(out);
        assertThat(check.format()).isEqualTo("safetensors");
        assertThat(check.errors()).isEmpty();
        assertThat(check.findings()).anySatisfy(f -> assertThat(f.ruleId()).isEqualTo("safetensors-safe-format"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"array.npy", "array_fortran.npy", "arrays.npz"})
    void numpyArraysMatch(String name) throws IOException {
        Path out = tmp.resolve(name + ".safetensors");
        new SafetensorsConverter(Limits.defaults()).convert(DIR.resolve(name), out);
        JsonNode all = JSON.readTree(DIR.resolve("numpy.expected.json").toFile());
        Map<String, String> expected = new TreeMap<>();
        all.path(name).fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asText()));
        assertThat(readSafetensors(out)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"full_module.pt", "torchscript.pt"})
    void refusesWhatWeightsOnlyRefuses(String name) {
        Path out = tmp.resolve("x.safetensors");
        assertThatThrownBy(() -> new SafetensorsConverter(Limits.defaults()).convert(DIR.resolve(name), out))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(name.startsWith("full") ? "torch.nn.modules.linear.Linear" : "TorchScript");
        assertThat(out).doesNotExist();
    }

    private static Map<String, String> expected(Path p) throws IOException {
        Map<String, String> m = new TreeMap<>();
        JSON.readTree(p.toFile()).fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /** Reads a safetensors file strictly (spec rules) and returns name -> hex bytes. */
    static Map<String, String> readSafetensors(Path p) throws IOException {
        byte[] all = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        assertThat(8 + n).isLessThanOrEqualTo(all.length);
        JsonNode header = JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        assertThat(header.path("__metadata__").path("format").asText()).isIn("pt", "np");
        Map<String, String> out = new TreeMap<>();
        long expectedBegin = 0;
        long dataLength = all.length - 8 - n;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            long b = e.getValue().path("data_offsets").get(0).asLong();
            long end = e.getValue().path("data_offsets").get(1).asLong();
            assertThat(b).as("contiguous offsets").isEqualTo(expectedBegin);
            expectedBegin = end;
            byte[] t = java.util.Arrays.copyOfRange(all, (int) (8 + n + b), (int) (8 + n + end));
            out.put(e.getKey(), HexFormat.of().formatHex(t));
        }
        assertThat(expectedBegin).as("buffer fully covered").isEqualTo(dataLength);
        return out;
    }
}
