package dev.modelvet.code;

import dev.modelvet.config.Config;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Finding;
import dev.modelvet.scan.NestedArtifact;
import dev.modelvet.scan.Report;
import dev.modelvet.scan.ScanError;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Severity;
import dev.modelvet.scan.SourceAnalyzer;
import dev.modelvet.scan.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSTree;
import org.treesitter.TreeSitterCSharp;
import org.treesitter.TreeSitterJava;
import org.treesitter.TreeSitterPython;

/**
 * Finds insecure-deserialization entry points in Python, Java and C# source, on tree-sitter syntax
 * trees (one rule engine per language over real parse trees, not regular expressions). Also serves
 * as the {@link SourceAnalyzer} that {@code modelvet scan} uses for Python files in model repositories.
 */
public final class CodeScanner implements SourceAnalyzer {
    private static final long MAX_FILE = 8L << 20;
    private static final long PARSE_TIMEOUT_MICROS = 10_000_000L;
    private static final TSLanguage PYTHON = new TreeSitterPython();
    private static final TSLanguage JAVA = new TreeSitterJava();
    private static final TSLanguage CSHARP = new TreeSitterCSharp();
    /** Parsers are not thread-safe; one per thread, reused. */
    private static final ThreadLocal<TSParser> PARSERS = ThreadLocal.withInitial(TSParser::new);

    /** The language of a source file by its extension (source code is named by language; models are not). */
    public static String languageOf(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".py") || n.endsWith(".pyw")) return "python";
        if (n.endsWith(".java")) return "java";
        if (n.endsWith(".cs")) return "csharp";
        return null;
    }

    @Override
    public List<Finding> analyze(String path, String source, String language) {
        return parse(path, source, language, null).findings;
    }

    private record Parsed(List<Finding> findings, boolean syntaxError, int errorLine) { }

    private static Parsed parse(String path, String text, String language, Path file) {
        TSLanguage lang = switch (language) {
            case "python" -> PYTHON;
            case "java" -> JAVA;
            case "csharp" -> CSHARP;
            default -> throw new IllegalArgumentException("unsupported language " + language);
        };
        TSParser parser = PARSERS.get();
        parser.setLanguage(lang);
        parser.setTimeoutMicros(PARSE_TIMEOUT_MICROS);
        TSTree tree = parser.parseString(null, text);
        Source src = new Source(path, text);
        if (tree == null) return new Parsed(src.findings, true, 0);
        TSNode root = tree.getRootNode();
        switch (language) {
            case "python" -> new PythonAnalyzer(src).analyze(root);
            case "java" -> new JavaAnalyzer(src, file).analyze(root);
            default -> new CSharpAnalyzer(src).analyze(root);
        }
        int errorLine = 0;
        if (root.hasError()) errorLine = firstError(root);
        src.findings.sort(Comparator.comparingInt(Finding::line).thenComparingInt(Finding::column));
        return new Parsed(src.findings, root.hasError(), errorLine);
    }

    private static int firstError(TSNode root) {
        int[] line = {0};
        Source.walk(root, n -> {
            if (line[0] == 0 && (n.isError() || n.isMissing())) line[0] = n.getStartPoint().getRow() + 1;
        });
        return line[0];
    }

    /** Scans one source file. Never throws. */
    public ArtifactResult scanFile(Path file) {
        long t0 = System.nanoTime();
        String display = file.toString();
        String language = languageOf(file);
        List<ScanError> errors = new ArrayList<>();
        List<Finding> findings = List.of();
        long size = -1;
        try {
            size = Files.size(file);
            if (language == null) {
                errors.add(new ScanError("code-language", display, -1, "not a Python, Java or C# source file"));
            } else if (size > MAX_FILE) {
                errors.add(new ScanError("code-too-large", display, -1, "source file larger than " + MAX_FILE + " bytes"));
            } else {
                Parsed p = parse(display, Files.readString(file, StandardCharsets.UTF_8), language, file);
                findings = p.findings;
                if (p.syntaxError) {
                    errors.add(new ScanError("code-syntax", display, -1, "syntax error" + (p.errorLine > 0 ? " near line " + p.errorLine : "")
                            + "; the rest of the file was analysed"));
                }
            }
        } catch (IOException | RuntimeException e) {
            errors.add(new ScanError("code-io", display, -1, "cannot read: " + e.getMessage()));
        }
        Severity max = null;
        for (Finding f : findings) max = Severity.max(max, f.severity());
        return new ArtifactResult(display, size, language == null ? "unknown" : language + "-source", Verdict.of(max, !errors.isEmpty()),
                max, findings, errors, List.of(new NestedArtifact(display, language == null ? "unknown" : language, size, "")),
                System.nanoTime() - t0);
    }

    /** Every Python, Java and C# file under the inputs, scanned {@code jobs} at a time, in path order. */
    public Report scanAll(List<Path> inputs, Config config, int jobs) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        List<Path> files = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> w = Files.walk(in)) {
                    w.filter(Files::isRegularFile).filter(p -> languageOf(p) != null).sorted().forEach(files::add);
                } catch (IOException e) {
                    // an unreadable folder is reported as one failed input below
                }
            } else {
                files.add(in);
            }
        }
        List<ArtifactResult> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs));
        try {
            List<Future<ArtifactResult>> fs = new ArrayList<>();
            for (Path f : files) fs.add(pool.submit(() -> config.apply(scanFile(f))));
            for (int i = 0; i < fs.size(); i++) {
                try {
                    results.add(fs.get(i).get());
                } catch (Exception e) {
                    results.add(new ArtifactResult(files.get(i).toString(), -1, "unknown", Verdict.ERROR, null, List.of(),
                            List.of(new ScanError("internal", files.get(i).toString(), -1, String.valueOf(e.getCause()))), List.of(), 0));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Report(Scanner.VERSION, "code-rules-1", started, System.nanoTime() - t0, results);
    }
}
