package dev.modelvet.code;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.treesitter.TSNode;

/**
 * Java: imports (single, wildcard) resolve simple type names; object creations and method calls
 * are matched against the sinks, with the safe configuration looked for in the same class
 * (setObjectInputFilter, XStream permissions, SafeConstructor, Kryo registration). SnakeYAML is
 * judged by the version a nearby pom.xml declares (2.x refuses global tags by default).
 */
final class JavaAnalyzer {
    private static final Map<String, String> SINK_TYPES = Map.of(
            "ObjectInputStream", "java.io.ObjectInputStream", "XMLDecoder", "java.beans.XMLDecoder",
            "XStream", "com.thoughtworks.xstream.XStream", "Yaml", "org.yaml.snakeyaml.Yaml", "Kryo", "com.esotericsoftware.kryo.Kryo",
            "HessianInput", "com.caucho.hessian.io.HessianInput", "Hessian2Input", "com.caucho.hessian.io.Hessian2Input",
            "BurlapInput", "com.caucho.burlap.io.BurlapInput");
    private static final Pattern SNAKEYAML_VERSION = Pattern.compile(
            "<artifactId>snakeyaml</artifactId>\\s*<version>(\\d+)\\.");

    private final Source src;
    private final Path file;
    private final Map<String, String> imports = new HashMap<>();
    private final Set<String> wildcards = new HashSet<>();

    private static final Pattern TAINT = Pattern.compile("HttpServletRequest|@RequestBody|MultipartFile|getParameter\\(|"
            + "\\bSocket\\b|ServerSocket|ConsumerRecord|KafkaConsumer|javax\\.jms|jakarta\\.jms|getenv\\(|openStream\\(|"
            + "openConnection\\(|HttpClient|\\brequest\\.getInputStream|socket\\.getInputStream");

    JavaAnalyzer(Source src, Path file) {
        this.src = src;
        this.file = file;
        src.methodTaint = TAINT;
        src.methodTypes = Set.of("method_declaration", "constructor_declaration", "lambda_expression");
    }

    static final org.treesitter.TSQuery QUERY = new org.treesitter.TSQuery(new org.treesitter.TreeSitterJava(),
            "(import_declaration) @n (object_creation_expression) @n (method_invocation) @n (annotation) @n (marker_annotation) @n");

    void analyze(TSNode root) {
        java.util.List<TSNode> nodes = Source.find(root, QUERY);
        nodes.forEach(n -> {
            if (n.getType().equals("import_declaration")) {
                String t = src.text(n).replace("import", "").replace("static", "").replace(";", "").strip();
                if (t.endsWith(".*")) wildcards.add(t.substring(0, t.length() - 2));
                else imports.put(t.substring(t.lastIndexOf('.') + 1), t);
            }
        });
        String all = new String(src.utf8, java.nio.charset.StandardCharsets.UTF_8);
        nodes.forEach(n -> {
            switch (n.getType()) {
                case "object_creation_expression" -> creation(n, all);
                case "method_invocation" -> invocation(n, all);
                case "annotation", "marker_annotation" -> annotation(n);
                default -> { }
            }
        });
    }

    /** Fully qualified name of a type written in the source, or null when it is not one of ours. */
    private String resolve(String written) {
        String t = written.replaceAll("<.*", "").strip();
        if (t.contains(".")) return SINK_TYPES.containsValue(t) ? t : null;
        String fq = imports.get(t);
        if (fq != null) return SINK_TYPES.containsValue(fq) ? fq : null;
        String known = SINK_TYPES.get(t);
        if (known == null) return null;
        String pkg = known.substring(0, known.lastIndexOf('.'));
        return wildcards.contains(pkg) || pkg.equals("java.io") && t.equals("ObjectInputStream") ? known : null;
    }

    private void creation(TSNode n, String all) {
        TSNode type = Source.field(n, "type");
        String fq = type == null ? null : resolve(src.text(type));
        if (fq == null) return;
        String args = src.text(Source.field(n, "arguments"));
        switch (fq) {
            case "java.beans.XMLDecoder" -> src.report(Rule.JAVA_XMLDECODER, n, Rule.JAVA_XMLDECODER.severity, "", src.text(n));
            case "org.yaml.snakeyaml.Yaml" -> {
                if (!args.contains("SafeConstructor")) {
                    int major = snakeYamlMajor();
                    if (major >= 2) {
                        src.report(Rule.JAVA_SNAKEYAML, n, dev.modelvet.scan.Severity.LOW, "the build declares SnakeYAML " + major
                                + ".x, which refuses global tags unless configured otherwise", src.text(n));
                    } else {
                        src.report(Rule.JAVA_SNAKEYAML, n, Rule.JAVA_SNAKEYAML.severity, major == 1 ? "the build declares SnakeYAML 1.x" : "", src.text(n));
                    }
                }
            }
            case "com.esotericsoftware.kryo.Kryo" -> { }
            case "com.caucho.hessian.io.HessianInput", "com.caucho.hessian.io.Hessian2Input", "com.caucho.burlap.io.BurlapInput" ->
                    src.report(Rule.JAVA_HESSIAN, n, Rule.JAVA_HESSIAN.severity, "", src.text(n));
            default -> { }
        }
    }

    private void invocation(TSNode n, String all) {
        String name = src.text(Source.field(n, "name"));
        switch (name) {
            case "readObject", "readUnshared" -> {
                boolean ois = all.contains("ObjectInputStream") && (resolve("ObjectInputStream") != null || all.contains("java.io.ObjectInputStream"));
                String receiver = src.text(Source.field(n, "object"));
                boolean other = receiver.contains("Hessian") || receiver.contains("Burlap") || receiver.contains("XMLDecoder");
                // A stream created in this method must be filtered in this method; one that comes from a field,
                // parameter or factory is judged by the file. A JVM-wide filter covers every stream.
                String method = enclosingMethod(n);
                String scope = method != null && method.contains("new ObjectInputStream(") ? method : all;
                boolean filtered = scope.contains("setObjectInputFilter") || scope.contains("ValidatingObjectInputStream")
                        || scope.contains("SerialKiller") || all.contains("jdk.serialFilter") || all.contains("Config.setSerialFilter");
                if (ois && !other && !filtered) {
                    src.report(Rule.JAVA_OIS, n, Rule.JAVA_OIS.severity, "", src.text(n));
                }
            }
            case "deserialize" -> {
                // commons-lang(3) and Spring SerializationUtils.deserialize wrap a bare ObjectInputStream.
                String receiver = src.text(Source.field(n, "object"));
                if (receiver.endsWith("SerializationUtils") && (receiver.contains(".") || all.contains("commons.lang")
                        || all.contains("springframework.util") || all.contains("import static"))) {
                    src.report(Rule.JAVA_OIS, n, Rule.JAVA_OIS.severity, "SerializationUtils.deserialize reads with a bare ObjectInputStream",
                            src.text(n));
                }
            }
            case "fromXML" -> {
                if (resolve("XStream") != null || all.contains("com.thoughtworks.xstream")) {
                    if (!all.contains("allowTypes") && !all.contains("addPermission") && !all.contains("allowTypeHierarchy")) {
                        src.report(Rule.JAVA_XSTREAM, n, Rule.JAVA_XSTREAM.severity, "", src.text(n));
                    }
                }
            }
            case "enableDefaultTyping", "activateDefaultTyping", "activateDefaultTypingAsProperty", "enableDefaultTypingAsProperty" -> {
                String args = src.text(Source.field(n, "arguments"));
                boolean validated = name.startsWith("activate") && !args.contains("LaissezFaireSubTypeValidator");
                if (!validated) src.report(Rule.JAVA_JACKSON, n, Rule.JAVA_JACKSON.severity, "", src.text(n));
                else src.report(Rule.JAVA_JACKSON, n, dev.modelvet.scan.Severity.LOW, "a PolymorphicTypeValidator is given; check it is an allow-list", src.text(n));
            }
            case "setRegistrationRequired" -> {
                if (src.text(Source.field(n, "arguments")).contains("false")) src.report(Rule.JAVA_KRYO, n, Rule.JAVA_KRYO.severity, "", src.text(n));
            }
            default -> { }
        }
    }

    private String enclosingMethod(TSNode n) {
        TSNode m = n;
        while (m != null && !m.isNull() && !m.getType().equals("method_declaration") && !m.getType().equals("constructor_declaration")) {
            m = m.getParent();
        }
        return m == null || m.isNull() ? null : src.text(m);
    }

    private void annotation(TSNode n) {
        String t = src.text(n);
        if (t.startsWith("@JsonTypeInfo") && (t.contains("Id.CLASS") || t.contains("Id.MINIMAL_CLASS"))) {
            src.report(Rule.JAVA_JACKSON, n, Rule.JAVA_JACKSON.severity, "@JsonTypeInfo(use = CLASS)", t);
        }
    }

    /** The SnakeYAML major version declared by the nearest pom.xml above the file, or -1. */
    private int snakeYamlMajor() {
        if (file == null) return -1;
        for (Path d = file.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
            Path pom = d.resolve("pom.xml");
            if (Files.isRegularFile(pom)) {
                try {
                    Matcher m = SNAKEYAML_VERSION.matcher(Files.readString(pom));
                    return m.find() ? Integer.parseInt(m.group(1)) : -1;
                } catch (java.io.IOException | RuntimeException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
