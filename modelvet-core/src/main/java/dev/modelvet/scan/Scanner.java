package dev.modelvet.scan;

import dev.modelvet.detect.Detector;
import dev.modelvet.format.FormatRegistry;
import dev.modelvet.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The library entry point: scans files, directories or in-memory bytes and returns results.
 * Thread-safe; a Java model server can keep one instance and call it before loading a file.
 *
 * <pre>{@code
 * Scanner scanner = Scanner.builder().build();
 * ArtifactResult r = scanner.scan(Path.of("model.pt"));
 * if (r.verdict() == Verdict.MALICIOUS) refuse();
 * }</pre>
 */
public final class Scanner {
    public static final String VERSION = "0.1.0";
    /** Identifies the build (its timestamp), so results cached by another build of the same version are not reused. */
    public static final String BUILD = readBuild();

    private static String readBuild() {
        try (java.io.InputStream in = Scanner.class.getResourceAsStream("/dev/modelvet/build.properties")) {
            if (in == null) return "unknown";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("build", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private final Limits limits;
    private final Policy policy;
    private final Detector detector;

    private Scanner(Builder b) {
        this.limits = b.limits;
        this.policy = b.policy;
        this.detector = new Detector(b.scanners);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Policy policy() {
        return policy;
    }

    public Limits limits() {
        return limits;
    }

    /** Scans each input, one at a time; directories are walked recursively in name order. */
    public Report scanAll(List<Path> inputs) {
        return new BatchScanner(this, dev.modelvet.config.Config.empty(), 1).scan(inputs, new BatchScanner.Listener() { });
    }

    /** Every file named by or below {@code inputs}, in a stable order; unreadable directories become failures. */
    public List<Path> expand(List<Path> inputs, List<ArtifactResult> failures) {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) files.addAll(expand(input, failures));
        return files;
    }

    /** Version-control folders: their objects are history, not the tree being checked, and are never scanned. */
    static final java.util.Set<String> VCS_DIRS = java.util.Set.of(".git", ".hg", ".svn");

    /**
     * Files below {@code input} in a stable order; directory symlinks are not followed (loops), VCS
     * folders are skipped, and a sub-folder that cannot be read becomes one failure while the walk
     * goes on (a malicious file beside it is still scanned).
     */
    private static List<Path> expand(Path input, List<ArtifactResult> failures) {
        if (!Files.isDirectory(input)) return List.of(input);
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(input, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                    boolean vcs = !dir.equals(input) && dir.getFileName() != null && VCS_DIRS.contains(dir.getFileName().toString());
                    return vcs ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                    if (a.isRegularFile() || isFileSymlink(file)) files.add(file);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                    failures.add(failure(file.toString(), "io", "cannot read: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " " + e.getMessage())));
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            failures.add(failure(input.toString(), "io", "cannot list directory: " + e.getMessage()));
        }
        files.sort(Comparator.comparing(Path::toString));
        return files;
    }

    private static boolean isFileSymlink(Path p) {
        return Files.isSymbolicLink(p) && Files.isRegularFile(p);
    }

    /** Scans one file. Never throws: unreadable input becomes an error result. */
    public ArtifactResult scan(Path file) {
        String display = file.toString();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
            return failure(display, "not-found", "no such file or directory");
        }
        try (FileByteSource source = FileByteSource.open(file)) {
            return scan(display, source);
        } catch (IOException e) {
            return failure(display, "io", "cannot open: " + e.getMessage());
        }
    }

    /** Scans bytes from any source under a display path. The source is not closed. */
    public ArtifactResult scan(String displayPath, ByteSource source) {
        Objects.requireNonNull(source, "source");
        long t0 = System.nanoTime();
        try (TempFiles temp = new TempFiles()) {
            ScanContext ctx = new ScanContext(limits, policy, detector, temp);
            Artifact artifact = new Artifact(displayPath, source, 0);
            String format = ctx.dispatch(artifact);
            if (ctx.droppedFindings() > 0) {
                ctx.error(artifact, -1, "limit-findings", ctx.droppedFindings() + " further findings not recorded");
            }
            List<Finding> findings = ctx.findings();
            Severity max = null;
            for (Finding f : findings) max = Severity.max(max, f.severity());
            Verdict verdict = Verdict.of(max, !ctx.errors().isEmpty());
            return new ArtifactResult(displayPath, source.size(), format, verdict, max, findings, ctx.errors(),
                    ctx.artifacts(), System.nanoTime() - t0);
        }
    }

    static ArtifactResult failure(String path, String code, String message) {
        return new ArtifactResult(path, -1, "unknown", Verdict.ERROR, null, List.of(),
                List.of(new ScanError(code, path, -1, message)), List.of(), 0);
    }

    public static final class Builder {
        private Limits limits = Limits.defaults();
        private Policy policy;
        private List<FormatScanner> scanners = FormatRegistry.defaultScanners();

        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits);
            return this;
        }

        public Builder policy(Policy policy) {
            this.policy = Objects.requireNonNull(policy);
            return this;
        }

        public Builder scanners(List<FormatScanner> scanners) {
            this.scanners = List.copyOf(scanners);
            return this;
        }

        public Scanner build() {
            if (policy == null) policy = Policy.bundled();
            return new Scanner(this);
        }
    }
}
