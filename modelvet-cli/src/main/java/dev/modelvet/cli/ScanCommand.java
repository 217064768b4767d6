package dev.modelvet.cli;

import dev.modelvet.config.Config;
import dev.modelvet.config.ConfigException;
import dev.modelvet.policy.Policy;
import dev.modelvet.policy.PolicyException;
import dev.modelvet.quarantine.Quarantine;
import dev.modelvet.report.ReportWriter;
import dev.modelvet.report.TextWriter;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.BatchScanner;
import dev.modelvet.scan.Report;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code modelvet scan PATH...}. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Scans model files, serialized data and directories for code that runs when they are loaded.",
                "",
                "Exit status: 0 nothing at or above --fail-on; 1 a finding at or above it;",
                "2 no such finding but some input could not be fully scanned; 3 usage or configuration error."})
final class ScanCommand implements Callable<Integer> {
    static final int EXIT_ERROR = 2;
    static final int EXIT_USAGE = 3;

    @Parameters(arity = "0..*", paramLabel = "PATH|URL", description = "Files, directories (scanned recursively) or http(s) URLs.")
    List<String> targets = new java.util.ArrayList<>();

    @Option(names = {"--huggingface", "--hf"}, paramLabel = "OWNER/REPO[@REV]",
            description = "Scan every file of a Hugging Face Hub repository (honours HF_ENDPOINT and HF_TOKEN).")
    List<String> hubRepos = new java.util.ArrayList<>();

    @Option(names = "--format", defaultValue = "text", description = "Report format: text, json or sarif (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, description = "Write the report to FILE instead of standard output.")
    Path output;

    @Option(names = "--fail-on",
            description = "Lowest severity that makes the exit status 1: critical, high, medium or low (default: high, or the config file's fail-on).")
    String failOn;

    @Option(names = {"-q", "--quiet"}, description = "Text report: list only files that are not clean (the default unless -v).")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Text report: also list clean and skipped files, informational findings and every nested artifact.")
    boolean verbose;

    @Option(names = "--policy", paramLabel = "FILE", description = "JSON policy extending or replacing the bundled allow/deny lists.")
    Path policyFile;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (default: modelvet.yaml or .modelvet.yaml in the working directory, if present).")
    Path configFile;

    @Option(names = "--no-config", description = "Ignore modelvet.yaml in the working directory.")
    boolean noConfig;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Files scanned in parallel (default: number of cores).")
    Integer jobs;

    @Option(names = "--quarantine", paramLabel = "DIR",
            description = "Move every file with a finding at or above --fail-on into DIR, with a JSON record beside it.")
    Path quarantineDir;

    @Option(names = "--no-cache", description = "Do not use or update the scan cache (results keyed by SHA-256 and policy; used for folders, or always with --cache-file).")
    boolean noCache;

    @Option(names = "--cache-file", paramLabel = "FILE",
            description = "Scan cache database (default: $XDG_CACHE_HOME/modelvet/scan-cache.db or ~/.cache/modelvet/scan-cache.db).")
    Path cacheFile;

    @Option(names = "--require-signature", paramLabel = "PUB.pem",
            description = "Fail every input whose signature (<dir>/model.sig or <file>.sig) does not verify with this public key.")
    Path requireSignature;

    @Option(names = "--no-progress", description = "Never draw a progress bar (it is drawn only on a terminal, outside CI).")
    boolean noProgress;

    @Override
    public Integer call() throws IOException {
        Config config;
        Policy policy;
        try {
            config = loadConfig();
            policy = config.policy(policyFile == null ? Policy.bundled() : Policy.withOverrides(policyFile));
        } catch (ConfigException | PolicyException e) {
            System.err.println("modelvet: " + e.getMessage());
            return EXIT_USAGE;
        }
        Severity threshold;
        try {
            threshold = failOn != null ? Severity.parse(failOn) : config.failOn().orElse(Severity.HIGH);
        } catch (IllegalArgumentException e) {
            System.err.println("modelvet: --fail-on: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (!List.of("text", "json", "sarif").contains(format)) {
            System.err.println("modelvet: --format must be text, json or sarif");
            return EXIT_USAGE;
        }
        int n = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
        if (n < 1) {
            System.err.println("modelvet: --jobs must be at least 1");
            return EXIT_USAGE;
        }
        if (targets.isEmpty() && hubRepos.isEmpty()) {
            System.err.println("modelvet: nothing to scan: give a PATH, a URL or --huggingface OWNER/REPO");
            return EXIT_USAGE;
        }
        Scanner scanner = Scanner.builder().policy(policy).build();
        List<Path> paths = new java.util.ArrayList<>();
        List<java.net.URI> urls = new java.util.ArrayList<>();
        String hubEndpoint = dev.modelvet.remote.HubClient.fromEnvironment(System.getenv()).endpoint();
        for (String t : targets) {
            // A pasted Hub page or hf:// name scans the repository or the file's bytes, never the HTML page.
            java.util.Optional<dev.modelvet.remote.HubUrls.Target> hub = dev.modelvet.remote.HubUrls.parse(t, hubEndpoint);
            if (hub.isPresent() && hub.get().repoSpec() != null) hubRepos.add(hub.get().repoSpec());
            else if (hub.isPresent()) urls.add(hub.get().fileUrl());
            else if (t.startsWith("https://") || t.startsWith("http://")) urls.add(java.net.URI.create(t));
            else paths.add(Path.of(t));
        }
        Progress progress = Progress.forTerminal(!noProgress);
        dev.modelvet.cache.ScanCache cache = null;
        // The cache pays off on folders (periodic re-scans of a model store); for single files its
        // start-up (SQLite's native library) costs more than parsing, unless a cache file is named.
        boolean useCache = !noCache && (cacheFile != null || paths.stream().anyMatch(Files::isDirectory));
        if (useCache) {
            try {
                cache = dev.modelvet.cache.ScanCache.open(cacheFile != null ? cacheFile : dev.modelvet.cache.ScanCache.defaultPath(System.getenv()));
                if (cache.warning() != null) System.err.println("modelvet: " + cache.warning());
            } catch (IOException e) {
                System.err.println("modelvet: scan cache unavailable (" + e.getMessage() + "); scanning without it");
            }
        }
        Report report;
        try {
            report = new BatchScanner(scanner, config, n, cache).scan(paths, progress);
        } finally {
            if (cache != null) cache.close();
        }
        progress.close();
        if (!urls.isEmpty() || !hubRepos.isEmpty()) {
            dev.modelvet.remote.RemoteScanner remote = new dev.modelvet.remote.RemoteScanner(scanner, config, scanner.limits().maxTempFileBytes());
            List<ArtifactResult> all = new java.util.ArrayList<>(report.results());
            for (java.net.URI u : urls) all.add(remote.scanUrl(u));
            dev.modelvet.remote.HubClient hub = dev.modelvet.remote.HubClient.fromEnvironment(System.getenv());
            for (String repo : hubRepos) all.addAll(remote.scanHub(hub, repo));
            report = new Report(report.toolVersion(), report.policyVersion(), report.started(), report.nanos(), all);
        }

        if (requireSignature != null) report = checkSignatures(report, paths);
        TextWriter.Options textOptions = new TextWriter.Options(verbose ? Severity.INFO : Severity.LOW, quiet || !verbose, verbose);
        ReportWriter writer = ReportWriter.forFormat(format, textOptions, policy);
        ScanCommand.emit(report, writer, output);
        int rc = report.exitCode(threshold);
        if (quarantineDir != null && !quarantine(report, threshold)) rc = Math.max(rc, EXIT_ERROR);
        return rc;
    }

    /** Adds a CRITICAL finding to every result under an input whose signature does not verify. */
    private Report checkSignatures(Report report, List<Path> inputs) {
        java.security.PublicKey key;
        try {
            key = dev.modelvet.sign.Keys.publicKey(requireSignature);
        } catch (IOException e) {
            System.err.println("modelvet: --require-signature: " + e.getMessage());
            key = null;
        }
        List<ArtifactResult> out = new java.util.ArrayList<>(report.results());
        for (Path input : inputs) {
            Path sig = dev.modelvet.sign.ModelSigner.defaultSignaturePath(input);
            String problem = null;
            try {
                if (key == null) problem = "no usable public key";
                else dev.modelvet.sign.ModelSigner.verify(input, sig, key, null);
            } catch (IOException e) {
                problem = Files.exists(sig) ? e.getMessage() : "no signature at " + sig;
            }
            if (problem == null) continue;
            String prefix = input.toString();
            dev.modelvet.scan.Finding f = new dev.modelvet.scan.Finding("signature-invalid", Severity.CRITICAL, prefix, -1,
                    "signature does not verify: " + problem, sig.toString(), "OpenSSF model signing (OMS) v1.0");
            for (int i = 0; i < out.size(); i++) {
                ArtifactResult r = out.get(i);
                if (!r.path().startsWith(prefix)) continue;
                List<dev.modelvet.scan.Finding> fs = new java.util.ArrayList<>(r.findings());
                fs.add(new dev.modelvet.scan.Finding(f.ruleId(), f.severity(), r.path(), -1, f.message(), f.evidence(), f.reference()));
                out.set(i, new ArtifactResult(r.path(), r.size(), r.format(), dev.modelvet.scan.Verdict.MALICIOUS, Severity.CRITICAL, fs,
                        r.errors(), r.artifacts(), r.nanos()));
            }
        }
        return new Report(report.toolVersion(), report.policyVersion(), report.started(), report.nanos(), out);
    }

    /** Writes the report to {@code output}, or to standard output when it is null. */
    static void emit(Report report, ReportWriter writer, Path output) throws IOException {
        if (output == null) {
            Writer out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
            writer.write(report, out);
            out.flush();
        } else {
            try (Writer out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                writer.write(report, out);
            }
        }
    }

    private Config loadConfig() {
        if (configFile != null) return Config.load(configFile);
        if (noConfig) return Config.empty();
        Optional<Path> found = Config.discover(Path.of("").toAbsolutePath());
        return found.map(Config::load).orElse(Config.empty());
    }

    /** Moves blocking files into quarantine; false if any move failed (the original then stays put). */
    private boolean quarantine(Report report, Severity threshold) {
        Quarantine q = new Quarantine(quarantineDir);
        boolean ok = true;
        for (ArtifactResult r : report.results()) {
            if (!r.hasFindingAtLeast(threshold)) continue;
            Path file = Path.of(r.path());
            if (!Files.isRegularFile(file)) continue;
            try {
                Quarantine.Entry e = q.put(file, r);
                System.err.println("modelvet: quarantined " + dev.modelvet.report.TerminalText.escape(r.path()) + " -> " + e.stored() + " (id " + e.id() + ")");
            } catch (IOException e) {
                ok = false;
                System.err.println("modelvet: could not quarantine " + dev.modelvet.report.TerminalText.escape(r.path()) + ": " + e.getMessage() + " (left in place)");
            }
        }
        return ok;
    }
}
