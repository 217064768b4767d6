package dev.modelvet.code;

import dev.modelvet.scan.Finding;
import dev.modelvet.scan.Severity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.treesitter.TSNode;

/** One parsed source file: its bytes (tree-sitter offsets are in UTF-8 bytes), findings and suppressions. */
final class Source {
    private static final Pattern SUPPRESS = Pattern.compile("modelvet:\\s*ignore(?:\\[([^\\]]*)])?");

    final String path;
    final byte[] utf8;
    final String[] lines;
    final List<Finding> findings = new ArrayList<>();
    /** For languages without a data-flow hint of their own: data sources that, seen in the enclosing method, raise severity. */
    Pattern methodTaint;
    Set<String> methodTypes = Set.of();

    Source(String path, String text) {
        this.path = path;
        this.utf8 = text.getBytes(StandardCharsets.UTF_8);
        this.lines = text.split("\n", -1);
    }

    String text(TSNode n) {
        if (n == null || n.isNull()) return "";
        int s = n.getStartByte();
        int e = Math.min(n.getEndByte(), utf8.length);
        return s >= e ? "" : new String(utf8, s, e - s, StandardCharsets.UTF_8);
    }

    /** Reports, unless the line carries {@code modelvet: ignore} or {@code modelvet: ignore[rule-id]}. */
    void report(Rule rule, TSNode at, Severity severity, String detail, String evidence) {
        if (methodTaint != null && severity.atLeast(Severity.MEDIUM)) {
            TSNode scope = at;
            while (scope != null && !scope.isNull() && !methodTypes.contains(scope.getType())) scope = scope.getParent();
            if (scope != null && !scope.isNull()) {
                Matcher m = methodTaint.matcher(text(scope));
                if (m.find()) {
                    severity = raise(severity);
                    detail = (detail.isEmpty() ? "" : detail + "; ") + "the method reads external input (" + m.group() + ")";
                }
            }
        }
        int line = at.getStartPoint().getRow() + 1;
        int column = at.getStartPoint().getColumn() + 1;
        if (suppressed(line, rule.id)) return;
        findings.add(new Finding(rule.id, severity, path, -1, rule.message + (detail.isEmpty() ? "" : " (" + detail + ")")
                + ". Fix: " + rule.fix, evidence.length() > 200 ? evidence.substring(0, 200) + "..." : evidence, rule.reference, line, column));
    }

    private boolean suppressed(int line, String id) {
        if (line < 1 || line > lines.length) return false;
        Matcher m = SUPPRESS.matcher(lines[line - 1]);
        while (m.find()) {
            if (m.group(1) == null) return true;
            for (String r : m.group(1).split(",")) if (r.strip().equals(id)) return true;
        }
        return false;
    }

    static void walk(TSNode n, Consumer<TSNode> visit) {
        // iterative, so deeply nested code cannot overflow the stack
        java.util.ArrayDeque<TSNode> stack = new java.util.ArrayDeque<>();
        stack.push(n);
        while (!stack.isEmpty()) {
            TSNode x = stack.pop();
            visit.accept(x);
            for (int i = x.getChildCount() - 1; i >= 0; i--) stack.push(x.getChild(i));
        }
    }

    /** Nodes captured by {@code query} under {@code root}, in document order (matching runs in native code). */
    static java.util.List<TSNode> find(TSNode root, org.treesitter.TSQuery query) {
        java.util.List<TSNode> out = new java.util.ArrayList<>();
        org.treesitter.TSQueryCursor cursor = new org.treesitter.TSQueryCursor();
        cursor.exec(query, root);
        org.treesitter.TSQueryMatch m = new org.treesitter.TSQueryMatch();
        while (cursor.nextMatch(m)) {
            for (org.treesitter.TSQueryCapture c : m.getCaptures()) out.add(c.getNode());
        }
        return out;
    }

    static TSNode field(TSNode n, String name) {
        TSNode c = n.getChildByFieldName(name);
        return c == null || c.isNull() ? null : c;
    }

    static Severity raise(Severity s) {
        return s == Severity.CRITICAL ? s : Severity.values()[s.ordinal() + 1];
    }

    static Severity lower(Severity s) {
        return s.ordinal() <= Severity.LOW.ordinal() ? s : Severity.values()[s.ordinal() - 1];
    }
}
