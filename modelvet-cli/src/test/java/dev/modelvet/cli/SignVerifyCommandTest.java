package dev.modelvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelvet.sign.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignVerifyCommandTest {
    @TempDir
    Path dir;

    @Test
    void signVerifyAndRequireSignature() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(kp.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        Path pub = Files.writeString(dir.resolve("pub.pem"), Keys.pem(kp.getPublic()));
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.write(model.resolve("weights.bin"), new byte[] {1, 2, 3, 4});
        assertThat(Main.run("sign", model.toString(), "--key", key.toString(), "--public-key", pub.toString())).isZero();
        assertThat(Main.run("verify", model.toString(), "--key", pub.toString())).isZero();
        Path out = dir.resolve("r.txt");
        assertThat(Main.run("scan", "--no-cache", "-o", out.toString(), "--require-signature", pub.toString(), model.toString())).isZero();
        Files.write(model.resolve("weights.bin"), new byte[] {1, 2, 3, 5});
        assertThat(Main.run("verify", model.toString(), "--key", pub.toString())).isEqualTo(1);
        assertThat(Main.run("scan", "--no-cache", "-o", out.toString(), "--require-signature", pub.toString(), model.toString())).isEqualTo(1);
        assertThat(Files.readString(out)).contains("signature-invalid").contains("weights.bin");

        Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef-team\n");
        assertThat(Main.run("sign", model.toString(), "--hmac-key-file", secret.toString(), "-o", dir.resolve("h.sig").toString())).isZero();
        assertThat(Main.run("verify", model.toString(), "--hmac-key-file", secret.toString(), "--signature", dir.resolve("h.sig").toString())).isZero();
    }
}
