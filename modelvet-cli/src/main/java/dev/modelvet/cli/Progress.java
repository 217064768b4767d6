package dev.modelvet.cli;

import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.BatchScanner;
import java.io.PrintStream;

/**
 * A one-line progress bar on stderr, only when stderr is a terminal and not in CI, so it never
 * lands in reports or CI logs.
 */
class Progress implements BatchScanner.Listener {
    private static final Progress NONE = new Progress(null);
    private final PrintStream err;
    private long lastDraw;

    private Progress(PrintStream err) {
        this.err = err;
    }

    static Progress forTerminal(boolean wanted) {
        boolean terminal = System.console() != null && System.getenv("CI") == null && !"dumb".equals(System.getenv("TERM"));
        return wanted && terminal ? new Progress(System.err) : NONE;
    }

    @Override
    public void finished(int done, int total, ArtifactResult result) {
        if (err == null || total < 2) return;
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        int width = 30;
        int filled = (int) ((long) width * done / total);
        String name = dev.modelvet.report.TerminalText.escape(result.path());
        if (name.length() > 40) name = "..." + name.substring(name.length() - 37);
        err.print("\r[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + total + " " + name + "\u001b[K");
        err.flush();
    }

    void close() {
        if (err != null) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }
}
