package dev.modelvet.remote;

import dev.modelvet.config.Config;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Finding;
import dev.modelvet.scan.ScanError;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Severity;
import dev.modelvet.scan.Verdict;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Scans remote artifacts: single URLs and every file of a Hub repository, reading only the bytes
 * each format needs. Small files are read whole so their content can be checked against the Hub's
 * LFS SHA-256; a mismatch is a finding (what was scanned is not what the Hub says it serves).
 */
public final class RemoteScanner {
    /** Files up to this size are read whole and hash-checked. */
    static final long VERIFY_LIMIT = 32L << 20;
    private final Scanner scanner;
    private final Config config;
    private final long maxDownload;

    public RemoteScanner(Scanner scanner, Config config, long maxDownload) {
        this.scanner = scanner;
        this.config = config;
        this.maxDownload = maxDownload;
    }

    public ArtifactResult scanUrl(URI url) {
        try (RemoteSource src = RemoteSource.open(url, maxDownload)) {
            return config.apply(scanner.scan(url.toString(), src));
        } catch (IOException | RuntimeException e) {
            return failure(url.toString(), "remote-io", e.getMessage());
        }
    }

    /** Every file of {@code owner/name[@revision]}, in the Hub's order. */
    public List<ArtifactResult> scanHub(HubClient hub, String spec) {
        List<ArtifactResult> out = new ArrayList<>();
        HubClient.Listing listing;
        try {
            listing = hub.list(spec);
        } catch (IOException | RuntimeException e) {
            out.add(failure("hf://" + spec, "hub-list", e.getMessage()));
            return out;
        }
        boolean trusted = config.isTrustedRepo(listing.repo());
        for (HubClient.HubFile f : listing.files()) {
            String display = "hf://" + listing.repo() + "@" + listing.commit() + "/" + f.path();
            if (trusted) {
                out.add(new ArtifactResult(display, f.size(), "trusted", Verdict.CLEAN, Severity.INFO,
                        List.of(new Finding("trusted-repository", Severity.INFO, display, -1,
                                "repository trusted in " + config.source() + "; not scanned", listing.repo(), "")),
                        List.of(), List.of(), 0));
                continue;
            }
            try (RemoteSource src = hub.open(listing, f, maxDownload)) {
                ArtifactResult r = scanner.scan(display, src);
                if (f.lfsSha256() != null && src.size() <= VERIFY_LIMIT) {
                    String actual = src.sha256();
                    if (!actual.equalsIgnoreCase(f.lfsSha256())) {
                        r = withFinding(r, new Finding("hub-lfs-mismatch", Severity.HIGH, display, -1,
                                "content does not match the LFS SHA-256 the Hub lists for it", "expected " + f.lfsSha256()
                                + ", got " + actual, ""));
                    }
                }
                out.add(config.apply(r));
            } catch (IOException | RuntimeException e) {
                out.add(failure(display, "remote-io", e.getMessage()));
            }
        }
        return out;
    }

    private static ArtifactResult withFinding(ArtifactResult r, Finding f) {
        List<Finding> fs = new ArrayList<>(r.findings());
        fs.add(f);
        Severity max = Severity.max(r.maxSeverity(), f.severity());
        return new ArtifactResult(r.path(), r.size(), r.format(), Verdict.of(max, !r.errors().isEmpty()), max, fs, r.errors(),
                r.artifacts(), r.nanos());
    }

    private static ArtifactResult failure(String path, String code, String message) {
        return new ArtifactResult(path, -1, "unknown", Verdict.ERROR, null, List.of(),
                List.of(new ScanError(code, path, -1, message == null ? "failed" : message)), List.of(), 0);
    }
}
