package dev.modelvet.format.jinja;

import dev.modelvet.scan.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Judges a Jinja2 template (a chat template) for server-side template injection, the
 * CVE-2024-34359 "Llama Drama" class: templates rendered by an unsandboxed {@code jinja2.Environment}
 * run Python. The template is split into tags and each expression is tokenised the way Jinja's
 * lexer does (names, string literals with escapes, operators, filters); the judgement is on tokens,
 * not on raw text, so a word inside a string or a comment does not count, and names assembled
 * from pieces ({@code '__cla' ~ 'ss__'}, {@code "\x5f\x5f"}) do.
 *
 * <p>Ordinary chat templates (ChatML, Llama, Mistral, Qwen tool calling with namespace/tojson) use
 * no dunder attribute and none of the sink names, and stay clean.
 */
public final class TemplateAnalyzer {
    /** Attribute or item names that walk from any object to Python internals. */
    private static final Set<String> INTERNALS = Set.of("__class__", "__mro__", "__base__", "__bases__", "__subclasses__",
            "__globals__", "__builtins__", "__init__", "__getattribute__", "__dict__", "__func__", "__self__", "__module__",
            "__code__", "__closure__", "__reduce__", "__reduce_ex__", "__import__", "__loader__", "__spec__", "f_globals",
            "f_back", "gi_frame", "cr_frame", "tb_frame", "func_globals", "_module", "__call__", "__getitem__", "mro");
    /** Names whose reach means code runs. */
    private static final Set<String> SINKS = Set.of("popen", "system", "eval", "exec", "__import__", "import_module",
            "subprocess", "os", "spawn", "execve", "execl", "check_output", "run_code", "compile", "load_module",
            "getattr", "open", "builtins", "__builtins__");
    /** Jinja globals whose function objects lead to module globals. */
    private static final Set<String> GLOBAL_HANDLES = Set.of("cycler", "joiner", "namespace", "lipsum", "self", "config",
            "request", "url_for", "get_flashed_messages", "range", "dict", "raise_exception", "strftime_now");

    /**
     * One judgement.
     *
     * @param severity CRITICAL (reaches code execution), HIGH (reaches Python internals), or null when clean
     * @param reasons  what was seen, in order
     */
    public record Verdict(Severity severity, List<String> reasons) {
        public boolean clean() {
            return severity == null;
        }
    }

    private TemplateAnalyzer() {
    }

    /** True when the text looks like a Jinja template (has a tag). */
    public static boolean looksLikeTemplate(String text) {
        return text.contains("{%") || text.contains("{{");
    }

    /** Whether the template's tags (not its prose) use the chat-template variables. */
    public static boolean isChatTemplate(String text) {
        Set<String> vars = Set.of("messages", "message", "add_generation_prompt", "bos_token", "eos_token", "tools");
        for (String expr : expressions(text)) {
            for (Token t : tokenize(expr)) if (t.kind == Kind.NAME && vars.contains(t.text)) return true;
        }
        return false;
    }

    public static Verdict analyze(String template) {
        List<String> reasons = new ArrayList<>();
        boolean internals = false;
        boolean sink = false;
        boolean assembled = false;
        for (String expr : expressions(template)) {
            List<Token> tokens = tokenize(expr);
            for (int i = 0; i < tokens.size(); i++) {
                Token t = tokens.get(i);
                Token prev = i > 0 ? tokens.get(i - 1) : null;
                Token next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
                if (t.kind == Kind.NAME) {
                    boolean attribute = prev != null && prev.is(".");
                    if (INTERNALS.contains(t.text) && (attribute || t.text.startsWith("__"))) {
                        internals = true;
                        reasons.add("attribute " + t.text);
                    }
                    if (SINKS.contains(t.text) && (attribute || (next != null && next.is("(")))) {
                        if (attribute || t.text.startsWith("__")) {
                            sink = true;
                            reasons.add("reaches " + t.text);
                        }
                    }
                    if (GLOBAL_HANDLES.contains(t.text) && next != null && next.is(".") && i + 2 < tokens.size()
                            && tokens.get(i + 2).text.startsWith("__")) {
                        internals = true;
                        reasons.add(t.text + "." + tokens.get(i + 2).text);
                    }
                    if (GLOBAL_HANDLES.contains(t.text) && next != null && next.is("[") && (prev == null || !prev.is("."))) {
                        // lipsum[...], cycler[...]: no chat template indexes Jinja's global helpers
                        internals = true;
                        reasons.add(t.text + "[...]");
                    }
                    if (t.text.equals("attr") && prev != null && prev.is("|")) {
                        Token arg = i + 2 < tokens.size() ? tokens.get(i + 2) : null;
                        Token afterArg = i + 3 < tokens.size() ? tokens.get(i + 3) : null;
                        // Anything but one plain literal ('name') is a name computed at render time: |format, ~, |join.
                        boolean computed = afterArg == null || !afterArg.is(")");
                        if (arg == null || arg.kind != Kind.STRING || arg.text.contains("_") || computed) {
                            internals = true;
                            reasons.add("|attr(" + (arg == null ? "" : arg.text) + ")");
                        }
                    }
                } else if (t.kind == Kind.STRING) {
                    String s = t.text;
                    String lower = s.toLowerCase(Locale.ROOT);
                    if (s.contains("__")) {
                        boolean dunder = s.matches("__[A-Za-z_]+__");
                        boolean used = (prev != null && (prev.is("[") || prev.is("(") || prev.is("~") || prev.is("+")))
                                || (next != null && (next.is("~") || next.is("+") || next.is("]")))
                                // getattr(x, '__class__'), format('{}', '__mro__'): a dunder as a call argument
                                || dunder && (prev != null && prev.is(",") || next != null && (next.is(")") || next.is(",")));
                        if (used && !s.isBlank()) {
                            internals = true;
                            reasons.add("string '" + shorten(s) + "' used as a name");
                        }
                    }
                    if ((prev != null && (prev.is("~") || prev.is("+"))) || (next != null && (next.is("~") || next.is("+")))) {
                        if (s.equals("_") || s.startsWith("__") || s.endsWith("__")) {
                            assembled = true;
                            reasons.add("name assembled from '" + shorten(s) + "'");
                        }
                    }
                    for (String k : SINKS) {
                        if (k.length() > 3 && (lower.equals(k) || lower.equals("__" + k + "__")) && prev != null && (prev.is("[") || prev.is("("))
                                && internals) {
                            sink = true;
                            reasons.add("reaches '" + k + "'");
                        }
                    }
                    if (t.escaped) {
                        assembled = true;
                        reasons.add("escaped string '" + shorten(s) + "'");
                    }
                }
            }
        }
        if (internals && sink) return new Verdict(Severity.CRITICAL, reasons);
        if (internals || assembled) return new Verdict(Severity.HIGH, reasons);
        return new Verdict(null, List.of());
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** The insides of {{ ... }} and {% ... %} tags; comments are dropped. */
    static List<String> expressions(String t) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < t.length()) {
            int open = t.indexOf('{', i);
            if (open < 0 || open + 1 >= t.length()) break;
            char c = t.charAt(open + 1);
            String close = c == '{' ? "}}" : c == '%' ? "%}" : c == '#' ? "#}" : null;
            if (close == null) {
                i = open + 1;
                continue;
            }
            int end = findClose(t, open + 2, close);
            if (end < 0) end = t.length();
            if (c != '#') {
                String body = t.substring(open + 2, end);
                if (c == '%' && body.strip().startsWith("raw")) {
                    int endraw = t.indexOf("endraw", end);
                    i = endraw < 0 ? t.length() : endraw;
                    continue;
                }
                out.add(body);
            }
            i = end + 2;
        }
        return out;
    }

    /** The closing delimiter, skipping over quoted strings. */
    private static int findClose(String t, int from, String close) {
        char quote = 0;
        for (int i = from; i < t.length() - 1; i++) {
            char c = t.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (t.startsWith(close, i)) {
                return i;
            }
        }
        return -1;
    }

    enum Kind { NAME, STRING, NUMBER, OP }

    static final class Token {
        final Kind kind;
        final String text;
        final boolean escaped;

        Token(Kind kind, String text, boolean escaped) {
            this.kind = kind;
            this.text = text;
            this.escaped = escaped;
        }

        boolean is(String op) {
            return kind == Kind.OP && text.equals(op);
        }

        @Override
        public String toString() {
            return kind + ":" + text;
        }
    }

    static List<Token> tokenize(String e) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = e.length();
        while (i < n) {
            char c = e.charAt(i);
            if (Character.isWhitespace(c) || c == '-' && (i == 0 || i == n - 1) || c == '+' && (i == 0 || i == n - 1)) {
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int s = i;
                while (i < n && (Character.isLetterOrDigit(e.charAt(i)) || e.charAt(i) == '_')) i++;
                out.add(new Token(Kind.NAME, e.substring(s, i), false));
            } else if (Character.isDigit(c)) {
                int s = i;
                while (i < n && (Character.isLetterOrDigit(e.charAt(i)) || e.charAt(i) == '.')) i++;
                out.add(new Token(Kind.NUMBER, e.substring(s, i), false));
            } else if (c == '\'' || c == '"') {
                StringBuilder sb = new StringBuilder();
                boolean escaped = false;
                i++;
                while (i < n && e.charAt(i) != c) {
                    char d = e.charAt(i);
                    if (d == '\\' && i + 1 < n) {
                        char x = e.charAt(i + 1);
                        if ((x == 'x' && i + 3 < n) || (x == 'u' && i + 5 < n)) {
                            int len = x == 'x' ? 2 : 4;
                            try {
                                char decoded = (char) Integer.parseInt(e.substring(i + 2, i + 2 + len), 16);
                                sb.append(decoded);
                                escaped |= Character.isLetterOrDigit(decoded) || decoded == '_';
                                i += 2 + len;
                                continue;
                            } catch (NumberFormatException ex) {
                                // not an escape: keep the characters
                            }
                        }
                        sb.append(x == 'n' ? '\n' : x == 't' ? '\t' : x);
                        i += 2;
                        continue;
                    }
                    sb.append(d);
                    i++;
                }
                i++;
                out.add(new Token(Kind.STRING, sb.toString(), escaped));
            } else {
                out.add(new Token(Kind.OP, String.valueOf(c), false));
                i++;
            }
        }
        return out;
    }
}
