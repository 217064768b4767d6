package dev.modelvet.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelvet.fixtures.FixtureManifestTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenSSF model-signing test vectors (sigstore/model-transparency scripts/tests, Apache-2.0).
 * They are third-party data, so they are not committed here: the test runs when the folder
 * {@code shared/test-vectors/model-transparency/scripts/tests} exists beside the project (the
 * steering repo may hold fetched data files), and is skipped otherwise. Verified by hand on
 * 2026-11-25 against commit e343073: v1.0.0, v1.0.1 and v1.1.0 elliptic-key all verify.
 */
class PublishedVectorsTest {
    @TempDir
    Path tmp;

    private static Path vectors() {
        return FixtureManifestTest.repoRoot().resolveSibling("shared").resolve("test-vectors/model-transparency/scripts/tests");
    }

    @Test
    void ellipticKeyVectorsVerifyAndATamperedCopyFails() throws Exception {
        Path v = vectors();
        assumeTrue(Files.isDirectory(v), "test vectors not present in shared/");
        var key = Keys.publicKey(v.resolve("keys/certificate/signing-key-pub.pem"));
        assertThat(ModelSigner.verify(v.resolve("v1.1.0-elliptic-key"), v.resolve("v1.1.0-elliptic-key/model.sig"), key, null).rootDigest())
                .startsWith("92745110");
        ModelSigner.verify(v.resolve("v1.0.1-elliptic-key"), v.resolve("v1.0.1-elliptic-key/model.sig"), key, null, List.of("ignore-me"));
        ModelSigner.verify(v.resolve("v1.0.0-elliptic-key/signme-1"), v.resolve("v1.0.0-elliptic-key/model.sig"), key, null);
        Path copy = Files.createDirectories(tmp.resolve("v1.1.0-elliptic-key"));
        for (String f : List.of("signme-1", "signme-2", "ignore-me", "model.sig")) Files.copy(v.resolve("v1.1.0-elliptic-key").resolve(f), copy.resolve(f));
        Files.writeString(copy.resolve("signme-2"), "changed");
        assertThatThrownBy(() -> ModelSigner.verify(copy, copy.resolve("model.sig"), key, null)).hasMessageStartingWith("signme-2:");
    }
}
