package dev.modelvet.scan;

import dev.modelvet.detect.Detector;
import dev.modelvet.detect.Head;
import dev.modelvet.policy.Policy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a scanner needs while scanning one input: limits, policy, a way to hand nested
 * artifacts back to detection, and the sink for findings and errors. One context per input;
 * not shared between threads.
 */
public final class ScanContext {
    /** Findings kept per input; past this only a count is kept, so a hostile file cannot flood memory. */
    static final int MAX_FINDINGS = 10_000;

    private final Limits limits;
    private final Policy policy;
    private final Detector detector;
    private final Spooler spooler;
    private final Set<Finding> findings = new LinkedHashSet<>();
    private final List<ScanError> errors = new ArrayList<>();
    private final List<NestedArtifact> artifacts = new ArrayList<>();
    private final Map<String, List<String>> formatsByPath = new HashMap<>();
    private final Set<String> persistentIdPaths = new java.util.HashSet<>();
    private final Set<String> torchScriptPaths = new java.util.HashSet<>();
    private int droppedFindings;

    ScanContext(Limits limits, Policy policy, Detector detector, TempFiles tempFiles) {
        this.limits = limits;
        this.policy = policy;
        this.detector = detector;
        this.spooler = new Spooler(limits, tempFiles);
    }

    public Limits limits() {
        return limits;
    }

    public Policy policy() {
        return policy;
    }

    public Spooler spooler() {
        return spooler;
    }

    public void report(Finding finding) {
        if (findings.size() >= MAX_FINDINGS && !findings.contains(finding)) {
            droppedFindings++;
            return;
        }
        findings.add(finding);
    }

    public void finding(Artifact artifact, long offset, String ruleId, Severity severity, String message,
                        String evidence, String reference) {
        report(new Finding(ruleId, severity, artifact.path(), offset, message, evidence, reference));
    }

    public void error(Artifact artifact, long offset, String code, String message) {
        if (errors.size() < MAX_FINDINGS) errors.add(new ScanError(code, artifact.path(), offset, message));
    }

    /** Formats detected for the artifact at {@code path} (so a container can tell a polyglot). */
    public List<String> formatsOf(Artifact artifact) {
        return formatsByPath.getOrDefault(artifact.path(), List.of());
    }

    /**
     * Declares that the loader of this artifact defines {@code persistent_load} (a PyTorch
     * archive's data.pkl), so persistent ids in it are expected rather than suspicious.
     */
    public void expectPersistentIds(Artifact artifact) {
        persistentIdPaths.add(artifact.path());
    }

    public boolean persistentIdsExpected(Artifact artifact) {
        return persistentIdPaths.contains(artifact.path());
    }

    /**
     * Declares a pickle record of a TorchScript archive: torch.jit.load's C++ unpickler resolves
     * {@code __torch__.*} classes from the archive's own compiled code/ records, not from Python.
     */
    public void markTorchScript(Artifact artifact) {
        torchScriptPaths.add(artifact.path());
    }

    public boolean isTorchScript(Artifact artifact) {
        return torchScriptPaths.contains(artifact.path());
    }

    /** Detects the child's format from its content and scans it; never throws. */
    public void scanChild(Artifact child) {
        if (child.depth() > limits.maxDepth()) {
            error(child, -1, "limit-depth", "nesting deeper than " + limits.maxDepth() + " levels; not scanned");
            artifacts.add(new NestedArtifact(child.path(), "unknown", child.size(), "not scanned: nesting limit"));
            return;
        }
        dispatch(child);
    }

    /** Notes an artifact that was deliberately not scanned (raw tensor data, an ignored record). */
    public void noteSkipped(Artifact artifact, String format, String why) {
        artifacts.add(new NestedArtifact(artifact.path(), format, artifact.size(), "skipped: " + why));
    }

    String dispatch(Artifact artifact) {
        Head head;
        try {
            head = Head.read(artifact.source(), artifact.fileName());
        } catch (IOException | UncheckedIOException e) {
            error(artifact, -1, "io", "cannot read: " + message(e));
            artifacts.add(new NestedArtifact(artifact.path(), "unknown", -1, "unreadable"));
            return "unknown";
        }
        List<FormatScanner> matched = detector.detect(head);
        if (matched.isEmpty()) {
            String what = head.length() == 0 ? "empty" : "unrecognised content (" + head.describe() + ")";
            artifacts.add(new NestedArtifact(artifact.path(), "unknown", artifact.size(), "skipped: " + what));
            return "unknown";
        }
        List<String> names = new ArrayList<>(matched.size());
        for (FormatScanner s : matched) names.add(s.format());
        formatsByPath.put(artifact.path(), names);
        for (FormatScanner s : matched) {
            artifacts.add(new NestedArtifact(artifact.path(), s.format(), artifact.size(), ""));
            try {
                s.scan(artifact, head, this);
            } catch (LimitExceededException e) {
                error(artifact, -1, e.code(), e.getMessage());
            } catch (IOException | UncheckedIOException e) {
                error(artifact, -1, s.format() + "-io", s.format() + ": " + message(e));
            } catch (RuntimeException | StackOverflowError e) {
                error(artifact, -1, "internal", s.format() + " scanner failed: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        }
        return names.get(0);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    List<Finding> findings() {
        List<Finding> list = new ArrayList<>(findings);
        list.sort(java.util.Comparator.comparing(Finding::path).thenComparingLong(Finding::offset)
                .thenComparing(f -> -f.severity().ordinal()).thenComparing(Finding::ruleId));
        return list;
    }

    List<ScanError> errors() {
        return errors;
    }

    List<NestedArtifact> artifacts() {
        return artifacts;
    }

    int droppedFindings() {
        return droppedFindings;
    }
}
