package dev.modelvet.maven;

import dev.modelvet.config.Config;
import dev.modelvet.report.ReportWriter;
import dev.modelvet.report.TextWriter;
import dev.modelvet.report.TerminalText;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.BatchScanner;
import dev.modelvet.scan.Finding;
import dev.modelvet.scan.Report;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Severity;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code modelvet:scan}: scans the project's resources (or the given directories) for model files
 * and serialized data that run code when loaded, and fails the build on a finding at or above
 * {@code failOn}. Bound to {@code verify} by default.
 */
@Mojo(name = "scan", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class ScanMojo extends AbstractMojo {

    /** Directories or files to scan. */
    @Parameter(defaultValue = "${project.basedir}/src/main/resources")
    List<File> directories = new ArrayList<>();

    /** Lowest severity that fails the build: critical, high, medium or low. */
    @Parameter(property = "modelvet.failOn", defaultValue = "high")
    String failOn = "high";

    /** Report format written to {@code outputFile}: text, json or sarif. */
    @Parameter(property = "modelvet.format", defaultValue = "sarif")
    String format = "sarif";

    /** Where to write the report; none when empty. */
    @Parameter(property = "modelvet.outputFile", defaultValue = "${project.build.directory}/modelvet.sarif")
    File outputFile;

    /** Optional modelvet.yaml (ignores, trusted hashes, extra allow/deny rules). */
    @Parameter(property = "modelvet.config")
    File config;

    /** Whether errors (files that could not be fully parsed) fail the build too. */
    @Parameter(property = "modelvet.failOnError", defaultValue = "true")
    boolean failOnError = true;

    @Parameter(property = "modelvet.skip", defaultValue = "false")
    boolean skip;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("modelvet: skipped");
            return;
        }
        Severity threshold;
        try {
            threshold = Severity.parse(failOn);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException("modelvet: failOn: " + e.getMessage());
        }
        List<Path> inputs = new ArrayList<>();
        for (File d : directories) if (d.exists()) inputs.add(d.toPath());
        if (inputs.isEmpty()) {
            getLog().info("modelvet: nothing to scan");
            return;
        }
        Config cfg = config == null ? Config.empty() : Config.load(config.toPath());
        Scanner scanner = Scanner.builder().policy(cfg.policy(dev.modelvet.policy.Policy.bundled())).build();
        Report report = new BatchScanner(scanner, cfg, Runtime.getRuntime().availableProcessors()).scan(inputs, new BatchScanner.Listener() { });
        if (outputFile != null) write(report, scanner);
        int blocking = 0;
        for (ArtifactResult r : report.results()) {
            for (Finding f : r.findings()) {
                if (!f.severity().atLeast(threshold)) continue;
                blocking++;
                getLog().error(TerminalText.escape("modelvet: " + f.severity() + " " + f.ruleId() + " " + f.path() + ": " + f.message()
                        + (f.evidence().isEmpty() ? "" : " [" + f.evidence() + "]")));
            }
            r.errors().forEach(e -> getLog().warn(TerminalText.escape("modelvet: could not fully scan " + e.path() + ": " + e.message())));
        }
        getLog().info("modelvet: " + report.results().size() + " files scanned, " + blocking + " findings at or above " + threshold);
        int rc = report.exitCode(threshold);
        if (rc == 1) throw new MojoFailureException("modelvet: " + blocking + " dangerous finding(s) in model files; see the log above");
        if (rc == 2 && failOnError) throw new MojoFailureException("modelvet: some files could not be fully scanned; see the log above");
    }

    private void write(Report report, Scanner scanner) throws MojoExecutionException {
        try {
            Files.createDirectories(outputFile.toPath().toAbsolutePath().getParent());
            try (Writer w = Files.newBufferedWriter(outputFile.toPath(), StandardCharsets.UTF_8)) {
                ReportWriter.forFormat(format, TextWriter.Options.defaults(), scanner.policy()).write(report, w);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new MojoExecutionException("modelvet: cannot write " + outputFile + ": " + e.getMessage(), e);
        }
    }
}
