package dev.modelvet.cli;

import dev.modelvet.code.CodeScanner;
import dev.modelvet.config.Config;
import dev.modelvet.config.ConfigException;
import dev.modelvet.policy.Policy;
import dev.modelvet.report.ReportWriter;
import dev.modelvet.report.TextWriter;
import dev.modelvet.scan.Report;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code modelvet scan-code PATH...}. */
@Command(name = "scan-code", mixinStandardHelpOptions = true,
        description = {"Finds insecure-deserialization entry points in Python, Java and C# source and tells safe calls from unsafe ones.",
                "Suppress one line with '# modelvet: ignore[RULE]' or '// modelvet: ignore[RULE]'.",
                "Exit status: 0 nothing at or above --fail-on; 1 a finding at or above it; 2 a file could not be parsed; 3 usage error."})
final class ScanCodeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "PATH")
    List<Path> paths;

    @Option(names = "--format", defaultValue = "text", description = "text, json or sarif (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = {"-o", "--output"})
    Path output;

    @Option(names = "--fail-on", description = "critical, high, medium or low (default: high, or the config file's fail-on)")
    String failOn;

    @Option(names = {"-q", "--quiet"})
    boolean quiet;

    @Option(names = "--config", paramLabel = "FILE", description = "modelvet.yaml (ignores by rule and path, severity overrides)")
    Path configFile;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N")
    Integer jobs;

    @Override
    public Integer call() throws IOException {
        Config config;
        try {
            config = configFile != null ? Config.load(configFile) : Config.discover(Path.of("").toAbsolutePath()).map(Config::load).orElse(Config.empty());
        } catch (ConfigException e) {
            System.err.println("modelvet: " + e.getMessage());
            return ScanCommand.EXIT_USAGE;
        }
        Severity threshold;
        try {
            threshold = failOn != null ? Severity.parse(failOn) : config.failOn().orElse(Severity.HIGH);
        } catch (IllegalArgumentException e) {
            System.err.println("modelvet: --fail-on: " + e.getMessage());
            return ScanCommand.EXIT_USAGE;
        }
        if (!List.of("text", "json", "sarif").contains(format)) {
            System.err.println("modelvet: --format must be text, json or sarif");
            return ScanCommand.EXIT_USAGE;
        }
        Report report = new CodeScanner().scanAll(paths, config, jobs != null ? jobs : Runtime.getRuntime().availableProcessors());
        ReportWriter writer = ReportWriter.forFormat(format, new TextWriter.Options(Severity.LOW, quiet, false), Policy.bundled());
        ScanCommand.emit(report, writer, output);
        return report.exitCode(threshold);
    }
}
