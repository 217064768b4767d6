package dev.modelvet.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelSignerTest {
    @TempDir
    Path dir;

    private Path model() throws Exception {
        Path m = Files.createDirectories(dir.resolve("my-model"));
        Files.writeString(m.resolve("config.json"), "{\"a\": 1}");
        Files.write(m.resolve("model.safetensors"), new byte[1000]);
        Files.createDirectories(m.resolve("tokenizer"));
        Files.writeString(m.resolve("tokenizer/vocab.txt"), "a\nb\n");
        Files.createDirectories(m.resolve(".git"));
        Files.writeString(m.resolve(".git/HEAD"), "ref: main");
        return m;
    }

    private KeyPair keys(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        KeyPair kp = g.generateKeyPair();
        Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(kp.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        Files.writeString(dir.resolve("pub.pem"), Keys.pem(kp.getPublic()));
        return kp;
    }

    @ParameterizedTest
    @ValueSource(strings = {"secp256r1", "secp384r1", "secp521r1"})
    void signedFolderVerifiesAndAOneByteChangeFailsNamingTheFile(String curve) throws Exception {
        Path m = model();
        keys(curve);
        Path sig = ModelSigner.defaultSignaturePath(m);
        ModelSigner.sign(m, sig, new ModelSigner.EcSigner(Keys.privateKey(dir.resolve("key.pem")), Keys.publicKey(dir.resolve("pub.pem"))), List.of());
        ModelSigner.Verified v = ModelSigner.verify(m, sig, Keys.publicKey(dir.resolve("pub.pem")), null);
        assertThat(v.files()).isEqualTo(3);
        assertThat(v.subject()).isEqualTo("my-model");

        JsonNode bundle = new ObjectMapper().readTree(sig.toFile());
        assertThat(bundle.path("mediaType").asText()).isEqualTo(ModelSigner.BUNDLE_MEDIA_TYPE);
        JsonNode statement = new ObjectMapper().readTree(Base64.getDecoder().decode(bundle.at("/dsseEnvelope/payload").asText()));
        assertThat(statement.at("/predicate/resources/0/name").asText()).isEqualTo("config.json");
        assertThat(statement.at("/predicate/resources/2/name").asText()).isEqualTo("tokenizer/vocab.txt");
        assertThat(statement.at("/predicate/serialization/ignore_paths").toString()).contains("model.sig").contains(".git");

        byte[] b = Files.readAllBytes(m.resolve("model.safetensors"));
        b[500] ^= 1;
        Files.write(m.resolve("model.safetensors"), b);
        assertThatThrownBy(() -> ModelSigner.verify(m, sig, Keys.publicKey(dir.resolve("pub.pem")), null))
                .isInstanceOf(SignatureException.class).hasMessageStartingWith("model.safetensors:");
    }

    @Test
    void extraMissingAndWrongKeyAreRefused() throws Exception {
        Path m = model();
        keys("secp256r1");
        Path sig = ModelSigner.defaultSignaturePath(m);
        ModelSigner.sign(m, sig, new ModelSigner.EcSigner(Keys.privateKey(dir.resolve("key.pem")), null), List.of());
        Files.writeString(m.resolve("extra.py"), "import os");
        assertThatThrownBy(() -> ModelSigner.verify(m, sig, Keys.publicKey(dir.resolve("pub.pem")), null)).hasMessageContaining("extra.py");
        Files.delete(m.resolve("extra.py"));
        Files.delete(m.resolve("config.json"));
        assertThatThrownBy(() -> ModelSigner.verify(m, sig, Keys.publicKey(dir.resolve("pub.pem")), null)).hasMessageContaining("config.json: signed file is missing");
        Files.writeString(m.resolve("config.json"), "{\"a\": 1}");
        ModelSigner.verify(m, sig, Keys.publicKey(dir.resolve("pub.pem")), null);
        keys("secp256r1");
        assertThatThrownBy(() -> ModelSigner.verify(m, sig, Keys.publicKey(dir.resolve("pub.pem")), null)).hasMessageContaining("does not verify");
    }

    @Test
    void hmacModeAndSymlinks() throws Exception {
        Path m = model();
        byte[] secret = "team-secret-0123456789".getBytes(StandardCharsets.UTF_8);
        Path sig = dir.resolve("model.sig");
        ModelSigner.sign(m, sig, new ModelSigner.HmacSigner(secret), List.of());
        ModelSigner.verify(m, sig, null, secret);
        assertThatThrownBy(() -> ModelSigner.verify(m, sig, null, "other".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("does not verify");
        Files.createSymbolicLink(m.resolve("link"), m.resolve("config.json"));
        assertThatThrownBy(() -> ModelSigner.sign(m, sig, new ModelSigner.HmacSigner(secret), List.of())).hasMessageContaining("symbolic links");
    }

    @Test
    void singleFileModelAndTamperedStatement() throws Exception {
        Path f = Files.write(dir.resolve("weights.bin"), new byte[] {1, 2, 3});
        keys("secp384r1");
        Path sig = ModelSigner.defaultSignaturePath(f);
        ModelSigner.sign(f, sig, new ModelSigner.EcSigner(Keys.privateKey(dir.resolve("key.pem")), null), List.of());
        assertThat(ModelSigner.verify(f, sig, Keys.publicKey(dir.resolve("pub.pem")), null).files()).isEqualTo(1);
        String text = Files.readString(sig);
        JsonNode b = new ObjectMapper().readTree(text);
        String payload = new String(Base64.getDecoder().decode(b.at("/dsseEnvelope/payload").asText()), StandardCharsets.UTF_8);
        String forged = Base64.getEncoder().encodeToString(payload.replace("weights.bin", "weights.BIN").getBytes(StandardCharsets.UTF_8));
        Files.writeString(sig, text.replace(b.at("/dsseEnvelope/payload").asText(), forged));
        assertThatThrownBy(() -> ModelSigner.verify(f, sig, Keys.publicKey(dir.resolve("pub.pem")), null)).hasMessageContaining("does not verify");
    }

    @Test
    void posixOrderMatchesTheReferenceImplementation() {
        List<String> names = new java.util.ArrayList<>(List.of("a.txt", "a/b", "a-b", "a"));
        names.sort(Manifest::comparePosix);
        assertThat(names).containsExactly("a", "a/b", "a-b", "a.txt");
    }
}
