package dev.modelvet.format.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges a Keras model configuration (the {@code config.json} of a .keras file, or the
 * {@code model_config} attribute of a legacy .h5): Lambda layers with marshalled bytecode, objects
 * whose {@code module} lies outside Keras (CVE-2025-1550), and the layers and functions behind the
 * later safe_mode bypasses. A model of ordinary Keras layers yields nothing.
 */
final class KerasConfig {
    private static final List<String> KERAS_ROOTS = List.of("keras", "keras_hub", "keras_cv", "keras_nlp", "tensorflow",
            "tf_keras", "tf", "builtins");
    private static final Set<String> DANGEROUS_MODULES = Set.of("os", "posix", "nt", "subprocess", "sys", "builtins",
            "shutil", "socket", "importlib", "runpy", "pickle", "marshal", "ctypes", "code", "webbrowser", "pty", "pip",
            "setuptools", "multiprocessing", "tempfile", "http", "urllib", "requests");
    private static final Set<String> DANGEROUS_NAMES = Set.of("os", "system", "popen", "subprocess", "eval", "exec",
            "__import__", "compile", "open", "getattr", "builtins", "__builtins__", "importlib", "import_module", "socket",
            "Popen", "check_output", "run", "remove", "rmtree", "urlopen", "urlretrieve", "webbrowser", "pty", "spawn");
    private static final Map<String, String> RISKY_LAYERS = Map.of(
            "TFOpLambda", "TFOpLambda calls an arbitrary TensorFlow function named in the config",
            "TorchModuleWrapper", "TorchModuleWrapper unpickles a torch module with torch.load (CVE-2025-49655)",
            "TFSMLayer", "TFSMLayer loads an external TensorFlow SavedModel named in the config",
            "CallbackLambda", "callback lambda runs arbitrary code");

    private int depth;

    void check(Artifact artifact, JsonNode node, ScanContext ctx, String where) {
        if (node == null || ++depth > 200) {
            depth--;
            return;
        }
        try {
            if (node.isObject()) {
                object(artifact, node, ctx, where);
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    check(artifact, it.next().getValue(), ctx, where);
                }
            } else if (node.isArray()) {
                for (JsonNode x : node) check(artifact, x, ctx, where);
            }
        } finally {
            depth--;
        }
    }

    private void object(Artifact artifact, JsonNode o, ScanContext ctx, String where) {
        String className = o.path("class_name").asText("");
        String module = o.path("module").isTextual() ? o.path("module").asText() : "";
        JsonNode config = o.path("config");
        if (className.equals("Lambda") || className.equals("__lambda__")) lambda(artifact, className, config, ctx, where);
        if (RISKY_LAYERS.containsKey(className)) {
            ctx.finding(artifact, -1, "keras-risky-layer", Severity.HIGH, where + ": " + RISKY_LAYERS.get(className),
                    className, "CVE-2025-49655");
        }
        if (!module.isEmpty()) {
            String root = module.split("\\.")[0];
            String fn = className.equals("function") && config.isTextual() ? config.asText() : className;
            if (DANGEROUS_MODULES.contains(root)) {
                ctx.finding(artifact, -1, "keras-foreign-module", Severity.CRITICAL,
                        where + ": object from module '" + module + "' is imported and called on load (CVE-2025-1550)",
                        module + "." + fn, "CVE-2025-1550");
            } else if (!KERAS_ROOTS.contains(root)) {
                ctx.finding(artifact, -1, "keras-foreign-module", Severity.HIGH,
                        where + ": object from module '" + module + "', outside Keras, is imported on load (CVE-2025-1550)",
                        module + "." + fn, "CVE-2025-1550");
            } else if (className.equals("function") && config.isTextual()) {
                String f = config.asText();
                if (f.equals("get_file") || f.equals("enable_unsafe_deserialization") || f.equals("load_model")) {
                    ctx.finding(artifact, -1, "keras-unsafe-function", Severity.CRITICAL,
                            where + ": Keras function " + module + "." + f + " is called while loading (safe_mode bypass)",
                            module + "." + f, f.equals("get_file") ? "CVE-2025-8747" : "CVE-2025-9906");
                }
            }
        }
        JsonNode registered = o.path("registered_name");
        if (registered.isTextual() && !registered.asText().isEmpty() && !registered.asText().startsWith("keras")
                && !registered.asText().equals(className)) {
            ctx.finding(artifact, -1, "keras-custom-object", Severity.MEDIUM,
                    where + ": custom registered object must be provided by the loading code", registered.asText(), "");
        }
        if (o.path("function_type").asText("").equals("lambda") && !className.equals("Lambda")) {
            lambda(artifact, "function", o, ctx, where);
        }
    }

    private void lambda(Artifact artifact, String className, JsonNode config, ScanContext ctx, String where) {
        String code = null;
        JsonNode fn = config.path("function");
        if (fn.isArray() && fn.size() > 0 && fn.get(0).isTextual()) code = fn.get(0).asText();
        if (fn.isObject() && fn.path("class_name").asText("").equals("__lambda__")) code = fn.path("config").path("code").asText(null);
        if (className.equals("__lambda__")) code = config.path("code").asText(null);
        Set<String> names = Set.of();
        if (code != null) {
            try {
                names = MarshalNames.of(Base64.getMimeDecoder().decode(code));
            } catch (IllegalArgumentException e) {
                names = Set.of();
            }
        }
        boolean dangerous = names.stream().anyMatch(DANGEROUS_NAMES::contains);
        String function = fn.isTextual() ? fn.asText() : "";
        ctx.finding(artifact, -1, "keras-lambda", dangerous ? Severity.CRITICAL : Severity.HIGH,
                where + ": Lambda layer with " + (code != null ? "marshalled Python bytecode" : "a Python function '" + function + "'")
                        + " that runs when the model is loaded or called (CVE-2024-3660)",
                names.isEmpty() ? function : "code names: " + String.join(", ", names.stream().limit(20).toList()), "CVE-2024-3660");
    }
}
