package dev.modelvet.format.script;

import dev.modelvet.detect.Head;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python source in a model repository (custom modelling code that {@code trust_remote_code=True}
 * imports and runs). Recognised by content: text whose lines read as Python statements. Reported as
 * information; judging the code itself is the code scanner's job.
 */
public final class PythonScriptScanner implements FormatScanner {
    private static final Pattern STATEMENT = Pattern.compile(
            "(?m)^(?:import [A-Za-z_][\\w.]*|from [A-Za-z_.][\\w.]* import |def [A-Za-z_]\\w*\\(|async def [A-Za-z_]\\w*\\(|"
                    + "class [A-Za-z_]\\w*\\s*[:(]|if __name__ == ['\"]__main__['\"]:)");

    /** What the first line of a Python file that is not a comment looks like. */
    private static final Pattern FIRST_LINE = Pattern.compile(
            "^(?:import |from |def |async def |class |@|[rbuRBU]?[\"']|[A-Za-z_][\\w.]*\\s*(?::[^=]*)?=|if |try:|with |for |while |print\\()");

    private static String firstCodeLine(String text) {
        for (String line : text.split("\\n", 200)) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) return t;
        }
        return "";
    }

    @Override
    public String format() {
        return "python-source";
    }

    @Override
    public boolean detect(Head head) {
        if (head.length() < 8 || !head.looksLikeText(8192)) return false;
        String text = new String(head.bytes(), StandardCharsets.UTF_8);
        if (text.startsWith("#!") && text.lines().findFirst().orElse("").contains("python")) return true;
        if (text.contains("```") || !FIRST_LINE.matcher(firstCodeLine(text)).find()) return false; // Markdown, prose
        Matcher m = STATEMENT.matcher(text);
        int hits = 0;
        while (m.find() && hits < 2) hits++;
        return hits >= 2;
    }

    /** Looked up on first use: the analyzer loads native parsers, which scans without Python files should not pay for. */
    private static final class Analyzer {
        static final java.util.Optional<dev.modelvet.scan.SourceAnalyzer> INSTANCE = dev.modelvet.scan.SourceAnalyzer.find();
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws java.io.IOException {
        ctx.finding(artifact, -1, "script-python-code", Severity.INFO,
                "Python source in a model repository: trust_remote_code=True imports and runs it; review it (modelvet scan-code)",
                artifact.fileName(), "");
        if (artifact.size() <= (4 << 20) && Analyzer.INSTANCE.isPresent()) {
            String source = new String(artifact.source().readAt(0, (int) artifact.size()), StandardCharsets.UTF_8);
            for (dev.modelvet.scan.Finding f : Analyzer.INSTANCE.get().analyze(artifact.path(), source, "python")) ctx.report(f);
        }
    }
}
