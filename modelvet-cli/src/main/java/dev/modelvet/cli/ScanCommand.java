package dev.modelvet.cli;

import dev.modelvet.policy.Policy;
import dev.modelvet.policy.PolicyException;
import dev.modelvet.report.ReportWriter;
import dev.modelvet.report.TextWriter;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code modelvet scan PATH...}. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Scans model files, serialized data and directories for code that runs when they are loaded.",
                "",
                "Exit status: 0 nothing at or above --fail-on; 1 a finding at or above it;",
                "2 no such finding but some input could not be fully scanned; 3 usage error."})
final class ScanCommand implements Callable<Integer> {
    static final int EXIT_ERROR = 2;
    static final int EXIT_USAGE = 3;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories (scanned recursively).")
    List<Path> paths;

    @Option(names = "--format", defaultValue = "text", description = "Report format: text, json or sarif (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, description = "Write the report to FILE instead of standard output.")
    Path output;

    @Option(names = "--fail-on", defaultValue = "high",
            description = "Lowest severity that makes the exit status 1: critical, high, medium or low (default: ${DEFAULT-VALUE}).")
    String failOn;

    @Option(names = {"-q", "--quiet"}, description = "Text report: list only files that are not clean.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Text report: also list informational findings and every nested artifact.")
    boolean verbose;

    @Option(names = "--policy", paramLabel = "FILE", description = "JSON policy extending or replacing the bundled allow/deny lists.")
    Path policyFile;

    @Override
    public Integer call() throws IOException {
        Severity threshold;
        try {
            threshold = Severity.parse(failOn);
        } catch (IllegalArgumentException e) {
            System.err.println("modelvet: --fail-on: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (!List.of("text", "json", "sarif").contains(format)) {
            System.err.println("modelvet: --format must be text, json or sarif");
            return EXIT_USAGE;
        }
        Policy policy;
        try {
            policy = policyFile == null ? Policy.bundled() : Policy.withOverrides(policyFile);
        } catch (PolicyException e) {
            System.err.println("modelvet: policy: " + e.getMessage());
            return EXIT_USAGE;
        }
        Scanner scanner = Scanner.builder().policy(policy).build();
        Report report = scanner.scanAll(paths);
        TextWriter.Options textOptions = new TextWriter.Options(verbose ? Severity.INFO : Severity.LOW, quiet, verbose);
        ReportWriter writer = ReportWriter.forFormat(format, textOptions, policy);
        if (output == null) {
            Writer out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
            writer.write(report, out);
            out.flush();
        } else {
            try (Writer out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                writer.write(report, out);
            }
        }
        return report.exitCode(threshold);
    }
}
