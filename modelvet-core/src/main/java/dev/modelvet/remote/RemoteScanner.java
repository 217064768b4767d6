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
            ArtifactResult r = scanner.scan(url.toString(), src);
            // A web page where a model was expected (a pasted page URL, a login wall, a proxy's error page)
            // would otherwise be "skipped" and the run exit 0: it is an error.
            if (r.skipped() && looksLikeHtml(src)) {
                return failure(url.toString(), "remote-html", "the URL returned an HTML page, not a model file"
                        + " (for a Hub file use its /resolve/ URL or hf://owner/repo/path)");
            }
            return config.apply(r);
        } catch (IOException | RuntimeException e) {
            return failure(url.toString(), "remote-io", e.getMessage());
        }
    }

    private static boolean looksLikeHtml(RemoteSource src) throws IOException {
        byte[] head = new byte[(int) Math.min(1024, Math.max(0, src.size()))];
        int n = head.length == 0 ? 0 : src.read(0, head, 0, head.length);
        String text = new String(head, 0, Math.max(0, n), java.nio.charset.StandardCharsets.ISO_8859_1).stripLeading()
                .toLowerCase(java.util.Locale.ROOT);
        if (text.startsWith("\u00ef\u00bb\u00bf")) text = text.substring(3).stripLeading(); // UTF-8 BOM
        return text.startsWith("<!doctype html") || text.startsWith("<html") || text.startsWith("<head")
                || (text.startsWith("<!--") && text.contains("<html"));
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
