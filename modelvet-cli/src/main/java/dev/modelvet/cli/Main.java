package dev.modelvet.cli;

import dev.modelvet.scan.Scanner;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code modelvet} command. */
@Command(name = "modelvet", mixinStandardHelpOptions = true, version = "modelvet " + Scanner.VERSION,
        description = "Decides whether model files and serialized data are safe to load, without running them.",
        subcommands = {ScanCommand.class, ConvertCommand.class, QuarantineCommand.class, SignCommand.class,
                VerifyCommand.class, ScanCodeCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            cmd.getErr().println("modelvet: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
            return ScanCommand.EXIT_ERROR;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("modelvet: " + ex.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            return ScanCommand.EXIT_USAGE;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
