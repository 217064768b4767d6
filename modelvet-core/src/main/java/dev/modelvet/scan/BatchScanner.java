package dev.modelvet.scan;

import dev.modelvet.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Scans many files: expands directories, honours the configuration (trusted hashes, ignores,
 * severity overrides), runs {@code jobs} scans at once and reports results in input order, whatever
 * order they finish in.
 */
public final class BatchScanner {

    /** Hears about progress; called from worker threads, one call at a time. */
    public interface Listener {
        default void started(int total) {
        }

        default void finished(int done, int total, ArtifactResult result) {
        }
    }

    private final Scanner scanner;
    private final Config config;
    private final int jobs;
    private final dev.modelvet.cache.ScanCache cache;
    private final String policyKey;

    public BatchScanner(Scanner scanner, Config config, int jobs) {
        this(scanner, config, jobs, null);
    }

    /** With a result cache (null for none): unchanged content is not parsed again. */
    public BatchScanner(Scanner scanner, Config config, int jobs, dev.modelvet.cache.ScanCache cache) {
        this.scanner = scanner;
        this.config = config;
        this.jobs = Math.max(1, jobs);
        this.cache = cache;
        this.policyKey = cacheKey(scanner.policy());
    }

    /** What cached results are valid for: this build of modelvet with exactly this policy. */
    public static String cacheKey(dev.modelvet.policy.Policy policy) {
        return Scanner.VERSION + "+" + Scanner.BUILD + "/" + policy.version() + "#" + policy.fingerprint().substring(0, 16);
    }

    public Report scan(List<Path> inputs, Listener listener) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        List<ArtifactResult> failures = new ArrayList<>();
        List<Path> files = scanner.expand(inputs, failures);
        listener.started(files.size());
        List<ArtifactResult> results = new ArrayList<>(failures);
        int[] done = {0};
        if (jobs == 1 || files.size() < 2) {
            for (Path f : files) {
                ArtifactResult r = scanOne(f);
                results.add(r);
                listener.finished(++done[0], files.size(), r);
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs, files.size()), r -> {
                Thread t = new Thread(r, "modelvet-scan");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<ArtifactResult>> futures = new ArrayList<>(files.size());
                for (Path f : files) {
                    futures.add(pool.submit(() -> {
                        ArtifactResult r = scanOne(f);
                        synchronized (done) {
                            listener.finished(++done[0], files.size(), r);
                        }
                        return r;
                    }));
                }
                for (int i = 0; i < futures.size(); i++) {
                    try {
                        results.add(futures.get(i).get());
                    } catch (ExecutionException e) {
                        results.add(Scanner.failure(files.get(i).toString(), "internal", "scan failed: " + e.getCause()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        results.add(Scanner.failure(files.get(i).toString(), "interrupted", "scan interrupted"));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        return new Report(Scanner.VERSION, scanner.policy().version(), started, System.nanoTime() - t0, results);
    }

    private ArtifactResult scanOne(Path file) {
        String sha = null;
        Object before = cache == null ? null : cache.identity(file);
        if (config.hasTrustedHashes() || cache != null) {
            long t0 = System.nanoTime();
            try {
                sha = cache == null ? null : cache.knownHash(file).orElse(null);
                if (sha == null) {
                    sha = sha256(file);
                    if (cache != null) cache.rememberHash(file, sha, before);
                }
                if (config.isTrusted(sha)) {
                    Finding f = new Finding("trusted-artifact", Severity.INFO, file.toString(), -1,
                            "trusted by SHA-256 in " + config.source() + "; not scanned", sha, "");
                    return new ArtifactResult(file.toString(), Files.size(file), "trusted", Verdict.CLEAN, Severity.INFO,
                            List.of(f), List.of(), List.of(), System.nanoTime() - t0);
                }
            } catch (IOException e) {
                return Scanner.failure(file.toString(), "io", "cannot read: " + e.getMessage());
            }
        }
        if (cache != null && sha != null) {
            java.util.Optional<ArtifactResult> hit = cache.get(sha, policyKey, file.toString());
            if (hit.isPresent()) return config.apply(hit.get());
        }
        ArtifactResult r = scanner.scan(file);
        // Content rewritten while it was hashed or scanned: the result may not belong to that hash.
        if (cache != null && sha != null && cache.unchanged(file, before)) cache.put(sha, policyKey, r);
        return config.apply(r);
    }

    /** Hex SHA-256 of a file's content. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
