package dev.modelvet.cli;

import dev.modelvet.quarantine.Quarantine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code modelvet quarantine list|restore}. */
@Command(name = "quarantine", mixinStandardHelpOptions = true,
        description = "Lists or restores artifacts moved aside by 'modelvet scan --quarantine DIR'.",
        subcommands = {QuarantineCommand.ListCommand.class, QuarantineCommand.RestoreCommand.class})
final class QuarantineCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.err);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists quarantined artifacts.")
    static final class ListCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() {
            try {
                for (Quarantine.Entry e : new Quarantine(dir).list()) {
                    System.out.println(e.id() + "\t" + e.time() + "\t" + dev.modelvet.report.TerminalText.escape(String.valueOf(e.original())) + "\t" + String.join(",", e.rules())
                            + (e.complete() ? "" : "\t(move interrupted: original still in place)"));
                }
                return 0;
            } catch (IOException e) {
                System.err.println("modelvet quarantine: " + e.getMessage());
                return ScanCommand.EXIT_ERROR;
            }
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, description = "Moves an artifact back (never overwrites).")
    static final class RestoreCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Option(names = "--to", paramLabel = "PATH", description = "Restore here instead of the original path.")
        Path to;

        @Override
        public Integer call() {
            try {
                Path p = new Quarantine(dir).restore(id, to);
                System.out.println("restored " + id + " -> " + p);
                return 0;
            } catch (IOException e) {
                System.err.println("modelvet quarantine: " + e.getMessage());
                return ScanCommand.EXIT_ERROR;
            }
        }
    }
}
