package dev.modelvet.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelvet.config.Config;
import dev.modelvet.policy.Policy;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.BatchScanner;
import dev.modelvet.scan.Report;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanCacheTest {
    private static final byte[] EVIL = HexFormat.of().parseHex(
            "80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e");

    @TempDir
    Path dir;

    /** Counts parses by wrapping the scanner's work in a batch and comparing timings is flaky; count cache rows instead. */
    @Test
    void secondScanIsServedFromTheCacheAndRelabelled() throws IOException {
        Path a = Files.write(dir.resolve("a.pkl"), EVIL);
        Path b = Files.write(dir.resolve("copy-of-a.bin"), EVIL);
        settle();
        Scanner scanner = Scanner.builder().build();
        try (ScanCache cache = ScanCache.open(dir.resolve("c.db"))) {
            Report first = new BatchScanner(scanner, Config.empty(), 1, cache).scan(List.of(a), new BatchScanner.Listener() { });
            assertThat(cache.knownHash(a)).isPresent();
            String sha = cache.knownHash(a).orElseThrow();
            assertThat(cache.get(sha, dev.modelvet.scan.BatchScanner.cacheKey(scanner.policy()), "x")).isPresent();
            Report second = new BatchScanner(scanner, Config.empty(), 1, cache).scan(List.of(b), new BatchScanner.Listener() { });
            ArtifactResult r = second.results().get(0);
            assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
            assertThat(r.path()).isEqualTo(b.toString());
            assertThat(r.findings()).allSatisfy(f -> assertThat(f.path()).startsWith(b.toString()));
            assertThat(r.findings()).hasSameSizeAs(first.results().get(0).findings());
        }
    }

    @Test
    void changedPolicyOrContentMisses() throws IOException {
        Path a = Files.write(dir.resolve("a.pkl"), EVIL);
        settle();
        try (ScanCache cache = ScanCache.open(dir.resolve("c.db"))) {
            Scanner scanner = Scanner.builder().build();
            new BatchScanner(scanner, Config.empty(), 1, cache).scan(List.of(a), new BatchScanner.Listener() { });
            String sha = cache.knownHash(a).orElseThrow();
            Policy other = Policy.bundled().extend(new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"version\": \"x\"}"), "t");
            assertThat(cache.get(sha, dev.modelvet.scan.BatchScanner.cacheKey(other), "a")).isEmpty();
            // Same version string, one more deny rule: a different key all the same.
            Policy sameVersion = Policy.bundled().extend(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    "{\"deny\": [{\"id\": \"t\", \"severity\": \"HIGH\", \"targets\": [{\"module\": \"m\", \"names\": \"*\"}]}]}"), "t");
            assertThat(sameVersion.version()).isEqualTo(Policy.bundled().version());
            assertThat(cache.get(sha, dev.modelvet.scan.BatchScanner.cacheKey(sameVersion), "a")).isEmpty();
            Files.write(a, "changed".getBytes(StandardCharsets.UTF_8));
            a.toFile().setLastModified(System.currentTimeMillis() + 5000);
            assertThat(cache.knownHash(a)).isEmpty();
        }
    }

    /** Past the racy window: a file changed this recently is re-hashed rather than remembered. */
    private static void settle() {
        try {
            Thread.sleep(ScanCache.RACY_NANOS / 1_000_000 * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Issue 11 item 10: rewritten in place at the same size with mtime restored; ctime gives it away. */
    @Test
    void rewriteInPlaceWithRestoredMtimeIsRescanned() throws IOException {
        byte[] benign = HexFormat.of().parseHex("80049525000000000000008c21" + "78".repeat(33) + "942e"); // pickle of 'xxx...', EVIL's length
        Path a = Files.write(dir.resolve("model.pkl"), benign);
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(a);
        settle();
        Scanner scanner = Scanner.builder().build();
        try (ScanCache cache = ScanCache.open(dir.resolve("c.db"))) {
            Report first = new BatchScanner(scanner, Config.empty(), 1, cache).scan(List.of(a), new BatchScanner.Listener() { });
            assertThat(first.results().get(0).verdict()).isEqualTo(Verdict.CLEAN);
            assertThat(cache.knownHash(a)).isPresent();
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(a, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(EVIL)); // same inode, same size
            }
            Files.setLastModifiedTime(a, mtime);
            assertThat(Files.size(a)).isEqualTo(benign.length);
            assertThat(cache.knownHash(a)).isEmpty();
            settle();
            Report second = new BatchScanner(scanner, Config.empty(), 1, cache).scan(List.of(a), new BatchScanner.Listener() { });
            assertThat(second.results().get(0).verdict()).isEqualTo(Verdict.MALICIOUS);
        }
    }

    @Test
    void aFileChangedJustNowOrWhileHashedIsNotRemembered() throws IOException {
        Path a = Files.write(dir.resolve("a.pkl"), EVIL);
        try (ScanCache cache = ScanCache.open(dir.resolve("c.db"))) {
            cache.rememberHash(a, "ab", cache.identity(a)); // written within the racy window
            assertThat(cache.knownHash(a)).isEmpty();
            settle();
            Object before = cache.identity(a);
            Files.write(a, "changed!".getBytes(StandardCharsets.UTF_8));
            settle();
            cache.rememberHash(a, "ab", before); // changed between identity and hash
            assertThat(cache.knownHash(a)).isEmpty();
            assertThat(cache.unchanged(a, before)).isFalse();
        }
    }

    @Test
    void damagedDatabaseIsRecreated() throws IOException {
        Path db = Files.write(dir.resolve("c.db"), "this is not a database at all, just text".repeat(100).getBytes(StandardCharsets.UTF_8));
        try (ScanCache cache = ScanCache.open(db)) {
            assertThat(cache.warning()).contains("recreated");
            Path a = Files.write(dir.resolve("a.pkl"), EVIL);
            settle();
            cache.rememberHash(a, "ab", cache.identity(a));
            assertThat(cache.knownHash(a)).contains("ab");
        }
    }
}
