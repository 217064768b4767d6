package dev.modelvet.code;

import dev.modelvet.scan.Severity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.treesitter.TSNode;

/**
 * Python: names are resolved through imports ({@code import pickle as p}, {@code from pickle import
 * loads as L}) and simple local aliases ({@code f = pickle.loads}), then each call is matched against
 * the sinks with their safe forms (keyword arguments such as {@code weights_only=True} or
 * {@code Loader=SafeLoader}). Arguments read from requests, sockets, uploads, downloads or the
 * environment in the same function raise the severity; string literals lower it.
 */
final class PythonAnalyzer {
    private static final Set<String> PICKLE_MODULES = Set.of("pickle", "_pickle", "cPickle", "dill", "cloudpickle");
    private static final Set<String> SAFE_LOADERS = Set.of("SafeLoader", "CSafeLoader", "BaseLoader");
    private static final Pattern TAINT = Pattern.compile(
            "\\brequest\\b|\\brequests?\\.(get|post)|\\.recv\\(|\\bsocket\\b|\\binput\\(|sys\\.stdin|os\\.environ|getenv|urlopen|"
                    + "\\.files\\b|upload|hf_hub_download|snapshot_download|\\.consume\\(|\\bkafka\\b|\\bredis\\b|\\.body\\b|\\.data\\b|"
                    + "\\.get_data\\(|\\bflask\\b|\\bwebsocket");

    /** The sink functions a wildcard import brings in, per module. */
    private static final Map<String, Set<String>> STAR_SINKS = Map.of(
            "pickle", Set.of("load", "loads", "Unpickler"), "_pickle", Set.of("load", "loads", "Unpickler"),
            "cPickle", Set.of("load", "loads", "Unpickler"), "dill", Set.of("load", "loads"), "cloudpickle", Set.of("load", "loads"),
            "marshal", Set.of("load", "loads"), "yaml", Set.of("load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all"),
            "joblib", Set.of("load"), "torch", Set.of("load"), "shelve", Set.of("open"));

    private final Source src;
    private final Map<String, String> names = new HashMap<>();
    private final List<String> starModules = new java.util.ArrayList<>();

    PythonAnalyzer(Source src) {
        this.src = src;
    }

    static final org.treesitter.TSQuery QUERY = new org.treesitter.TSQuery(new org.treesitter.TreeSitterPython(),
            "(import_statement) @n (import_from_statement) @n (assignment) @n (call) @n");

    void analyze(TSNode root) {
        java.util.List<TSNode> calls = new java.util.ArrayList<>();
        java.util.List<TSNode> assignments = new java.util.ArrayList<>();
        for (TSNode n : Source.find(root, QUERY)) {
            switch (n.getType()) {
                case "import_statement", "import_from_statement" -> imports(n);
                case "assignment" -> assignments.add(n);
                case "call" -> calls.add(n);
                default -> { }
            }
        }
        assignments.forEach(this::aliases);
        calls.forEach(this::call);
    }

    private void imports(TSNode n) {
        switch (n.getType()) {
            case "import_statement" -> {
                for (int i = 0; i < n.getNamedChildCount(); i++) {
                    TSNode c = n.getNamedChild(i);
                    if (c.getType().equals("aliased_import")) {
                        names.put(src.text(Source.field(c, "alias")), src.text(Source.field(c, "name")));
                    } else if (c.getType().equals("dotted_name")) {
                        String full = src.text(c);
                        String head = full.contains(".") ? full.substring(0, full.indexOf('.')) : full;
                        names.putIfAbsent(head, head);
                    }
                }
            }
            case "import_from_statement" -> {
                TSNode moduleNode = Source.field(n, "module_name");
                String module = src.text(moduleNode);
                for (int i = 0; i < n.getNamedChildCount(); i++) {
                    TSNode c = n.getNamedChild(i);
                    if (moduleNode != null && TSNode.eq(c, moduleNode)) continue;
                    if (c.getType().equals("aliased_import")) {
                        names.put(src.text(Source.field(c, "alias")), module + "." + src.text(Source.field(c, "name")));
                    } else if (c.getType().equals("dotted_name") && i > 0) {
                        String name = src.text(c);
                        names.put(name, module + "." + name);
                    } else if (c.getType().equals("wildcard_import")) {
                        starModules.add(module);
                    }
                }
            }
            default -> { }
        }
    }

    /** {@code f = pickle.loads}: the name now means the callee. */
    private void aliases(TSNode n) {
        if (!n.getType().equals("assignment")) return;
        TSNode left = Source.field(n, "left");
        TSNode right = Source.field(n, "right");
        if (left == null || right == null || !left.getType().equals("identifier")) return;
        if (right.getType().equals("identifier") || right.getType().equals("attribute")) {
            String q = qualify(right);
            if (q != null && isSinkName(q)) names.put(src.text(left), q);
        }
    }

    private static boolean isSinkName(String q) {
        String mod = q.contains(".") ? q.substring(0, q.lastIndexOf('.')) : "";
        return PICKLE_MODULES.contains(mod) || q.startsWith("yaml.") || q.startsWith("torch.") || q.startsWith("joblib.")
                || q.startsWith("marshal.") || q.startsWith("numpy.") || q.startsWith("pandas.") || q.equals("eval") || q.equals("exec");
    }

    /** The dotted name an expression denotes, through imports and aliases; null when it is not a name. */
    private String qualify(TSNode n) {
        if (n.getType().equals("identifier")) {
            String t = src.text(n);
            if (names.containsKey(t)) return names.get(t);
            for (String m : starModules) {
                if (STAR_SINKS.getOrDefault(m, Set.of()).contains(t)) return m + "." + t;
            }
            return t;
        }
        if (n.getType().equals("call")) {
            // importlib.import_module('pickle'), __import__('pickle'), getattr(pickle, 'loads') with literal names.
            TSNode fn = Source.field(n, "function");
            TSNode args = Source.field(n, "arguments");
            if (fn == null || args == null || args.getNamedChildCount() < 1) return null;
            String f = qualify(fn);
            TSNode a0 = args.getNamedChild(0);
            if (("importlib.import_module".equals(f) || "__import__".equals(f) || "builtins.__import__".equals(f))
                    && a0.getType().equals("string")) {
                return literal(a0);
            }
            if (("getattr".equals(f) || "builtins.getattr".equals(f)) && args.getNamedChildCount() >= 2
                    && args.getNamedChild(1).getType().equals("string")) {
                String base = qualify(a0);
                String attr = literal(args.getNamedChild(1));
                return base == null || attr == null ? null : base + "." + attr;
            }
            return null;
        }
        if (n.getType().equals("attribute")) {
            TSNode obj = Source.field(n, "object");
            TSNode attr = Source.field(n, "attribute");
            String base = obj == null ? null : qualify(obj);
            return base == null || attr == null ? null : base + "." + src.text(attr);
        }
        return null;
    }

    /** The value of a plain string literal ('x' or "x", no interpolation), else null. */
    private String literal(TSNode string) {
        String t = src.text(string);
        if (t.length() >= 2 && (t.charAt(0) == '\'' || t.charAt(0) == '"') && t.charAt(t.length() - 1) == t.charAt(0)) {
            String v = t.substring(1, t.length() - 1);
            return v.matches("[A-Za-z_][\\w.]*") ? v : null;
        }
        return null;
    }

    private void call(TSNode call) {
        TSNode fn = Source.field(call, "function");
        TSNode args = Source.field(call, "arguments");
        if (fn == null || args == null) return;
        Map<String, TSNode> kw = new HashMap<>();
        List<TSNode> positional = new java.util.ArrayList<>();
        for (int i = 0; i < args.getNamedChildCount(); i++) {
            TSNode a = args.getNamedChild(i);
            if (a.getType().equals("keyword_argument")) kw.put(src.text(Source.field(a, "name")), Source.field(a, "value"));
            else positional.add(a);
        }
        TSNode trust = kw.get("trust_remote_code");
        if (trust != null && src.text(trust).equals("True")) {
            src.report(Rule.PY_REMOTE_CODE, call, Rule.PY_REMOTE_CODE.severity, "", src.text(call));
        }
        String q = qualify(fn);
        if (q == null) return;
        if (q.startsWith("numpy.") || q.startsWith("np.")) q = "numpy." + q.substring(q.indexOf('.') + 1);
        String module = q.contains(".") ? q.substring(0, q.lastIndexOf('.')) : "";
        String name = q.substring(q.lastIndexOf('.') + 1);
        TSNode first = positional.isEmpty() ? null : positional.get(0);
        if (PICKLE_MODULES.contains(module) && Set.of("load", "loads", "Unpickler").contains(name)) {
            flag(Rule.PY_PICKLE, call, first, q);
        } else if (q.equals("joblib.load")) {
            flag(Rule.PY_JOBLIB, call, first, q);
        } else if (q.equals("torch.load")) {
            TSNode w = kw.get("weights_only");
            TSNode pm = kw.get("pickle_module");
            if (w == null && pm != null && !src.text(pm).equals("None")) {
                // torch >= 2.6 defaults weights_only to False when a pickle_module is passed.
                flag(Rule.PY_TORCH_UNSAFE, call, first, q + "(pickle_module=" + src.text(pm) + ") without weights_only");
            } else if (w == null) flag(Rule.PY_TORCH_IMPLICIT, call, first, q);
            else if (!src.text(w).equals("True")) flag(Rule.PY_TORCH_UNSAFE, call, first, q + "(weights_only=" + src.text(w) + ")");
        } else if (q.equals("numpy.load")) {
            TSNode ap = kw.get("allow_pickle");
            if (ap != null && !src.text(ap).equals("False")) flag(Rule.PY_NUMPY, call, first, q + "(allow_pickle=" + src.text(ap) + ")");
        } else if (q.equals("pandas.read_pickle") || q.equals("pd.read_pickle")) {
            flag(Rule.PY_PANDAS, call, first, q);
        } else if ((q.equals("skops.io.load") || q.equals("skops.io.loads")) && kw.containsKey("trusted")
                && !Set.of("None", "[]", "False", "()").contains(src.text(kw.get("trusted")))) {
            flag(Rule.PY_SKOPS_TRUSTED, call, first, q + "(trusted=" + src.text(kw.get("trusted")) + ")");
        } else if (q.equals("torch.hub.load")) {
            TSNode source = kw.get("source");
            if (source == null || !src.text(source).matches("['\"]local['\"]")) flag(Rule.PY_TORCH_HUB, call, first, q);
        } else if (q.equals("shelve.open")) {
            flag(Rule.PY_SHELVE, call, first, q);
        } else if (module.equals("marshal") && (name.equals("load") || name.equals("loads"))) {
            flag(Rule.PY_MARSHAL, call, first, q);
        } else if (q.equals("jsonpickle.decode") || q.equals("jsonpickle.loads")) {
            flag(Rule.PY_JSONPICKLE, call, first, q);
        } else if (module.equals("yaml")) {
            yaml(call, name, kw, positional, first, q);
        } else if (name.equals("load_model") && (q.startsWith("keras") || q.startsWith("tensorflow") || q.startsWith("tf.") || q.startsWith("tf_keras"))) {
            TSNode safe = kw.get("safe_mode");
            if (safe != null && src.text(safe).equals("False")) flag(Rule.PY_KERAS, call, first, q + "(safe_mode=False)");
        } else if ((q.equals("eval") || q.equals("exec") || q.equals("builtins.eval") || q.equals("builtins.exec")) && first != null
                && !first.getType().equals("string") && !first.getType().equals("concatenated_string")) {
            flag(Rule.PY_EVAL, call, first, q);
        }
    }

    private void yaml(TSNode call, String name, Map<String, TSNode> kw, List<TSNode> positional, TSNode first, String q) {
        if (name.equals("load") || name.equals("load_all")) {
            TSNode loader = kw.getOrDefault("Loader", positional.size() > 1 ? positional.get(1) : null);
            String l = loader == null ? "" : qualify(loader);
            if (l == null) l = src.text(loader);
            String simple = l.substring(l.lastIndexOf('.') + 1);
            if (!SAFE_LOADERS.contains(simple)) flag(Rule.PY_YAML, call, first, q + (loader == null ? "() without Loader" : "(Loader=" + l + ")"));
        } else if (Set.of("unsafe_load", "unsafe_load_all", "full_load", "full_load_all").contains(name)) {
            flag(Rule.PY_YAML, call, first, q);
        }
    }

    private void flag(Rule rule, TSNode call, TSNode arg, String what) {
        Severity s = rule.severity;
        String detail = "";
        if (arg != null) {
            if (tainted(call, arg)) {
                s = Source.raise(s);
                detail = "the argument comes from outside the program (request, socket, upload, download or environment)";
            } else if (arg.getType().equals("string")) {
                s = Source.lower(s);
                detail = "the argument is a constant";
            }
        }
        src.report(rule, call, s, detail, src.text(call));
    }

    /** Whether the argument, or what its name was assigned from in the same function, reads from outside. */
    private boolean tainted(TSNode call, TSNode arg) {
        String text = src.text(arg);
        if (TAINT.matcher(text).find()) return true;
        TSNode fn = call;
        while (fn != null && !fn.isNull() && !fn.getType().equals("function_definition") && !fn.getType().equals("module")) fn = fn.getParent();
        if (fn == null || fn.isNull()) return false;
        java.util.Set<String> idents = new java.util.HashSet<>();
        Source.walk(arg, x -> {
            if (x.getType().equals("identifier")) idents.add(src.text(x));
        });
        boolean[] found = {false};
        Source.walk(fn, x -> {
            if (found[0] || !x.getType().equals("assignment")) return;
            TSNode l = Source.field(x, "left");
            TSNode r = Source.field(x, "right");
            if (l != null && r != null && idents.contains(src.text(l)) && TAINT.matcher(src.text(r)).find()) found[0] = true;
        });
        return found[0];
    }
}
