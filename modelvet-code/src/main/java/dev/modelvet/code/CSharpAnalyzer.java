package dev.modelvet.code;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.treesitter.TSNode;

/**
 * C#: {@code using} directives and aliases resolve type names; creations of the dangerous formatters,
 * JavaScriptSerializer with a type resolver, and Json.NET TypeNameHandling other than None are reported.
 */
final class CSharpAnalyzer {
    private static final Map<String, String> FORMATTERS = Map.of(
            "BinaryFormatter", "System.Runtime.Serialization.Formatters.Binary",
            "SoapFormatter", "System.Runtime.Serialization.Formatters.Soap",
            "NetDataContractSerializer", "System.Runtime.Serialization",
            "LosFormatter", "System.Web.UI",
            "ObjectStateFormatter", "System.Web.UI");

    private final Source src;
    private final Set<String> usings = new HashSet<>();
    private final Map<String, String> aliases = new HashMap<>();

    private static final java.util.regex.Pattern TAINT = java.util.regex.Pattern.compile(
            "\\bRequest\\.|HttpContext|IFormFile|\\[FromBody]|\\bSocket\\b|NetworkStream|TcpClient|GetEnvironmentVariable|"
                    + "WebClient|HttpClient|ReadAsStream|Console\\.In\\b");

    CSharpAnalyzer(Source src) {
        this.src = src;
        src.methodTaint = TAINT;
        src.methodTypes = Set.of("method_declaration", "constructor_declaration", "local_function_statement", "lambda_expression");
    }

    static final org.treesitter.TSQuery QUERY = new org.treesitter.TSQuery(new org.treesitter.TreeSitterCSharp(),
            "(using_directive) @n (object_creation_expression) @n (member_access_expression) @n (qualified_name) @n");

    void analyze(TSNode root) {
        java.util.List<TSNode> nodes = Source.find(root, QUERY);
        nodes.forEach(n -> {
            if (!n.getType().equals("using_directive")) return;
            String t = src.text(n).replace("using", "").replace("global", "").replace("static", "").replace(";", "").strip();
            int eq = t.indexOf('=');
            if (eq > 0) aliases.put(t.substring(0, eq).strip(), t.substring(eq + 1).strip());
            else usings.add(t);
        });
        nodes.forEach(n -> {
            switch (n.getType()) {
                case "object_creation_expression" -> creation(n);
                case "member_access_expression", "qualified_name" -> typeNameHandling(n);
                default -> { }
            }
        });
    }

    private String formatter(String written) {
        String t = written.strip();
        t = aliases.getOrDefault(t, t);
        String simple = t.substring(t.lastIndexOf('.') + 1);
        String ns = FORMATTERS.get(simple);
        if (ns == null) return null;
        if (t.contains(".")) return t.equals(ns + "." + simple) ? simple : null;
        return usings.contains(ns) ? simple : null;
    }

    private void creation(TSNode n) {
        TSNode type = Source.field(n, "type");
        String written = type == null ? "" : src.text(type);
        String f = formatter(written);
        if (f != null) {
            src.report(Rule.CS_BINARYFORMATTER, n, Rule.CS_BINARYFORMATTER.severity, f, src.text(n));
            return;
        }
        String simple = written.substring(written.lastIndexOf('.') + 1);
        if (java.util.Set.of("XmlSerializer", "DataContractSerializer", "DataContractJsonSerializer").contains(simple)) {
            TSNode a = Source.field(n, "arguments");
            String args = a == null ? "" : src.text(a);
            if (args.contains("Type.GetType(") || args.contains("GetType(") && !args.contains("typeof(")) {
                src.report(Rule.CS_RUNTIME_TYPE, n, Rule.CS_RUNTIME_TYPE.severity, simple, src.text(n));
            }
        }
        if (written.endsWith("JavaScriptSerializer")) {
            String args = src.text(Source.field(n, "arguments"));
            if (args.contains("TypeResolver")) src.report(Rule.CS_JAVASCRIPTSERIALIZER, n, Rule.CS_JAVASCRIPTSERIALIZER.severity, "", src.text(n));
        }
    }

    private void typeNameHandling(TSNode n) {
        String t = src.text(n).replace(" ", "");
        if (!t.startsWith("TypeNameHandling.") || t.equals("TypeNameHandling.None")) return;
        TSNode parent = n.getParent();
        if (parent != null && !parent.isNull() && (parent.getType().equals("member_access_expression") || parent.getType().equals("qualified_name"))) return;
        String v = t.substring("TypeNameHandling.".length());
        if (Set.of("All", "Auto", "Objects", "Arrays").contains(v)) {
            src.report(Rule.CS_JSONNET, n, Rule.CS_JSONNET.severity, "TypeNameHandling." + v, t);
        }
    }
}
