package dev.modelvet.report;

import dev.modelvet.policy.GlobalRule;
import dev.modelvet.policy.Policy;
import dev.modelvet.scan.Severity;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Descriptions of rule ids for reports (SARIF rules, help text): the policy's deny rules plus the
 * structural rules of the scanners. An id not listed here is described from its first finding.
 */
public final class RuleCatalog {

    /**
     * @param id          stable id
     * @param description one-sentence description
     * @param help        what to do about it
     * @param severity    default severity
     * @param reference   CVE, advisory or documentation, may be empty
     */
    public record Rule(String id, String description, String help, Severity severity, String reference) {
        /** PascalCase name for SARIF's {@code name}. */
        public String name() {
            StringBuilder sb = new StringBuilder();
            for (String part : id.split("[^A-Za-z0-9]+")) {
                if (part.isEmpty()) continue;
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1).toLowerCase(Locale.ROOT));
            }
            return sb.toString();
        }
    }

    private static final String DONT_LOAD = "Do not load this file with pickle, torch.load(weights_only=False), joblib or "
            + "np.load(allow_pickle=True). Obtain the model from a trusted source, or convert trusted weights to "
            + "safetensors (modelvet convert) and load those.";

    private static final Map<String, Rule> STRUCTURAL = new HashMap<>();

    private static void add(String id, Severity s, String description, String help, String reference) {
        STRUCTURAL.put(id, new Rule(id, description, help, s, reference));
    }

    static {
        add("pickle-unknown-callable", Severity.HIGH, "A global that is not on the allow-list is called while unpickling.", DONT_LOAD, "");
        add("pickle-unknown-class", Severity.MEDIUM, "A class that is not on the allow-list is instantiated while unpickling.",
                "Check that the class comes from code you trust; add it to the policy's allow-list if it does.", "");
        add("pickle-unknown-global", Severity.MEDIUM, "A global that is not on the allow-list is imported while unpickling.",
                "Check that the module comes from code you trust; add it to the policy's allow-list if it does.", "");
        add("pickle-dunder-attribute", Severity.CRITICAL, "A global walks Python internals (dunder attributes) to reach arbitrary code.", DONT_LOAD, "");
        add("pickle-frame-mismatch", Severity.HIGH, "A pickle FRAME length disagrees with the opcodes inside it (a parser differential that hides payloads).", DONT_LOAD, "");
        add("pickle-global-mutation", Severity.HIGH, "BUILD writes attributes into a module-level object while loading.", DONT_LOAD, "");
        add("pickle-unresolved-global", Severity.HIGH, "STACK_GLOBAL operands are computed while loading, so the imported global cannot be known.", DONT_LOAD, "");
        add("pickle-dynamic-call", Severity.HIGH, "The pickle calls a value computed while loading.", DONT_LOAD, "");
        add("pickle-extension-code", Severity.HIGH, "A global is taken from the copyreg extension registry.", DONT_LOAD, "");
        add("pickle-implicit-call", Severity.HIGH, "The loader calls a method (append, __setitem__, add) on an object of a non-allow-listed class.", DONT_LOAD, "");
        add("pickle-trailing-data", Severity.LOW, "Data follows the end of the pickle.", "Check where the extra data comes from.", "");
        add("pickle-persistent-id", Severity.LOW, "The pickle uses persistent ids resolved by the loading program.", "Check which loader reads this file.", "");
        add("pickle-hidden-stream", Severity.MEDIUM, "A complete pickle stream that calls globals is hidden after junk data (loaders that seek run it).", DONT_LOAD, "");
        add("pickle-attribute-lookup", Severity.INFO, "getattr is used only to look up allow-listed names (how CPython pickles classmethods and bound methods).", "Nothing to do.", "");
        add("polyglot-tar-zip", Severity.MEDIUM, "The tar archive is also a zip archive: tar and zip readers see different content.", "Find out where the file comes from; both views are scanned.", "");
        add("skops-format", Severity.INFO, "skops.io file: loads types outside skops' trusted list only when the caller passes trusted=.", "Never pass trusted= built from get_untrusted_types without reading it.", "https://skops.readthedocs.io/en/stable/persistence.html");
        add("skops-unknown-callable", Severity.HIGH, "skops calls a type or function that is not on the allow-list with arguments from the file.", "Do not load this file with trusted= covering that name.", "");
        add("skops-unknown-type", Severity.MEDIUM, "skops imports or instantiates a type that is not on the allow-list.", "Check that the type comes from code you trust.", "");
        add("skops-malformed-node", Severity.MEDIUM, "A skops node that skops itself refuses: a crafted file.", "Find out where the file comes from.", "");
        add("skops-unknown-loader", Severity.LOW, "A skops node with a loader skops does not know.", "Check the skops version that wrote the file.", "");
        add("native-code", Severity.MEDIUM, "A native executable or shared library (ELF, PE, Mach-O, APE) inside a model artifact.",
                "Weights never need native code; find out why it is there before any custom-op or plugin loader sees it.", "");
        add("pickle-format", Severity.INFO, "Pickle-based format: loading it can run code.", "Prefer safetensors for weights.", "");
        add("zip-name-mismatch", Severity.MEDIUM, "Zip local header and central directory name an entry differently.", "Re-create the archive from trusted content.", "CVE-2025-1944");
        add("zip-flag-bits", Severity.MEDIUM, "Zip entry flags claim encryption or patched data on a readable entry.", "Re-create the archive from trusted content.", "CVE-2025-1945");
        add("zip-crc-mismatch", Severity.MEDIUM, "A zip entry's CRC does not match its content (edited after archiving).", "Re-create the archive from trusted content.", "CVE-2025-10156");
        add("zip-prefix-data", Severity.MEDIUM, "Data precedes the first zip entry (a second file glued in front).", "Re-create the archive from trusted content.", "");
        add("archive-path-traversal", Severity.MEDIUM, "An archive entry name escapes the extraction folder.", "Do not extract this archive with a tool that follows entry paths.", "CWE-22");
    }

    private final Policy policy;

    public RuleCatalog(Policy policy) {
        this.policy = policy;
    }

    /** The rule for {@code id}, or null when unknown. */
    public Rule find(String id) {
        if (policy != null) {
            for (GlobalRule r : policy.denyRules()) {
                if (r.id().equals(id)) {
                    return new Rule(id, "Pickle references " + r.message() + ".", DONT_LOAD, r.severity(), r.reference());
                }
            }
        }
        return STRUCTURAL.get(id);
    }
}
