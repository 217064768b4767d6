package dev.modelvet.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys as the openssl command line writes them, in every form a user is likely to hand to {@code sign}. */
class OpensslKeysTest {
    @TempDir
    Path dir;

    private void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("openssl %s: %s", cmd, out).isZero();
    }

    @ParameterizedTest
    @CsvSource({"prime256v1,256", "secp384r1,384", "secp521r1,521"})
    void everyOpensslFormSignsAndVerifies(String curve, int bits) throws Exception {
        openssl("ecparam", "-name", curve, "-genkey", "-out", "sec1.pem"); // the default: EC PARAMETERS + EC PRIVATE KEY
        openssl("ecparam", "-name", curve, "-genkey", "-noout", "-out", "sec1-noparams-block.pem");
        openssl("ec", "-in", "sec1.pem", "-outform", "DER", "-out", "sec1.der");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-out", "pkcs8.pem");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-outform", "DER", "-out", "pkcs8.der");
        openssl("ec", "-in", "sec1.pem", "-pubout", "-out", "pub.pem");
        openssl("ec", "-in", "sec1.pem", "-pubout", "-outform", "DER", "-out", "pub.der");
        assertThat(Files.readString(dir.resolve("sec1.pem"))).contains("BEGIN EC PARAMETERS", "BEGIN EC PRIVATE KEY");

        PublicKey pub = Keys.publicKey(dir.resolve("pub.pem"));
        assertThat(Keys.publicKey(dir.resolve("pub.der"))).isEqualTo(pub);
        PrivateKey reference = Keys.privateKey(dir.resolve("pkcs8.pem"));
        for (String f : List.of("sec1.pem", "sec1.der", "pkcs8.der")) {
            PrivateKey k = Keys.privateKey(dir.resolve(f));
            assertThat(((java.security.interfaces.ECPrivateKey) k).getS()).as(f).isEqualTo(((java.security.interfaces.ECPrivateKey) reference).getS());
            assertThat(Keys.curve(k)).isEqualTo(bits);
            signAndVerify(k, pub, f);
        }
        assertThat(Keys.curve(Keys.privateKey(dir.resolve("sec1-noparams-block.pem")))).isEqualTo(bits);
    }

    private void signAndVerify(PrivateKey key, PublicKey pub, String name) throws Exception {
        Path model = Files.createDirectories(dir.resolve("model-" + name));
        Files.writeString(model.resolve("config.json"), "{}");
        Path sig = dir.resolve(name + ".sig");
        ModelSigner.sign(model, sig, new ModelSigner.EcSigner(key, pub), List.of());
        assertThat(ModelSigner.verify(model, sig, pub, null).files()).isEqualTo(1);
    }

    @Test
    void encryptedAndForeignKeysAreRefusedWithAReason() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem");
        openssl("pkcs8", "-topk8", "-in", "sec1.pem", "-passout", "pass:secret", "-out", "enc.pem");
        assertThatThrownBy(() -> Keys.privateKey(dir.resolve("enc.pem"))).hasMessageContaining("encrypted");
        openssl("genpkey", "-algorithm", "ed25519", "-out", "ed.pem");
        assertThatThrownBy(() -> Keys.privateKey(dir.resolve("ed.pem"))).isInstanceOf(SignatureException.class);
        openssl("ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", "k1.pem");
        assertThatThrownBy(() -> Keys.privateKey(dir.resolve("k1.pem"))).isInstanceOf(SignatureException.class)
                .hasMessageContaining("P-256"); // same size as P-256, another curve
        Files.write(dir.resolve("junk.der"), new byte[] {0x30, (byte) 0x84, 1, 2});
        assertThatThrownBy(() -> Keys.privateKey(dir.resolve("junk.der"))).isInstanceOf(SignatureException.class);
        Files.write(dir.resolve("truncated.der"), java.util.Arrays.copyOf(
                Files.readAllBytes(dir.resolve("sec1.pem")), 3));
        assertThatThrownBy(() -> Keys.privateKey(dir.resolve("truncated.der"))).isInstanceOf(SignatureException.class);
    }
}
