package dev.modelvet.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which Python globals a model file may reference. Allow-list first: a global on the allow-list
 * is safe; a deny-listed one gets its rule's severity; anything else is unknown (suspicious when
 * referenced, dangerous when called). The policy is data: bundled as {@code default-policy.json}
 * and extended or overridden by a user file with the same shape.
 *
 * <p>Immutable and thread-safe.
 */
public final class Policy {
    /** Rule applied to attribute walks through dunder names ({@code OrderedDict.__init__.__globals__}). */
    public static final GlobalRule DUNDER_RULE = new GlobalRule("pickle-dunder-attribute", Severity.CRITICAL,
            "walks Python internals (dunder attributes) to reach arbitrary code", "peers.md B04/B05", null, List.of());

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final String version;
    private final Map<String, String> aliases;
    private final Set<String> exactAllow;
    private final List<GlobalPattern> patternAllow;
    private final List<GlobalRule> deny;
    private final Set<String> walkRoots;
    private final List<CalledParameters> callers;

    private Policy(String version, Map<String, String> aliases, Set<String> exactAllow,
                   List<GlobalPattern> patternAllow, List<GlobalRule> deny, Set<String> walkRoots,
                   List<CalledParameters> callers) {
        this.version = version;
        this.aliases = Map.copyOf(aliases);
        this.exactAllow = Set.copyOf(exactAllow);
        this.patternAllow = List.copyOf(patternAllow);
        this.deny = List.copyOf(deny);
        this.walkRoots = Set.copyOf(walkRoots);
        this.callers = List.copyOf(callers);
    }

    private static volatile Policy bundled;

    /** The policy shipped with modelvet. */
    public static Policy bundled() {
        Policy p = bundled;
        if (p == null) {
            try (InputStream in = Policy.class.getResourceAsStream("default-policy.json")) {
                if (in == null) throw new PolicyException("bundled policy resource missing");
                p = parse(JSON.readTree(in), "default-policy.json", null);
            } catch (IOException e) {
                throw new PolicyException("cannot read bundled policy: " + e.getMessage(), e);
            }
            bundled = p;
        }
        return p;
    }

    /**
     * The bundled policy extended by a user file. Rules in the file with an id already bundled
     * replace that rule; {@code "replace": true} drops the bundled lists entirely.
     */
    public static Policy withOverrides(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new PolicyException(file + ": invalid JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PolicyException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new PolicyException(file + ": the policy must be a JSON object");
        Policy base = root.path("replace").asBoolean(false) ? null : bundled();
        return parse(root, file.toString(), base);
    }

    /**
     * This policy extended by {@code root} (the same shape as a policy file: allow, deny, aliases,
     * walkRoots), e.g. the policy section of a configuration file.
     */
    public Policy extend(JsonNode root, String source) {
        return parse(root, source, this);
    }

    private static Policy parse(JsonNode root, String source, Policy base) {
        String version = text(root, "version", source, base == null ? "unversioned" : base.version);
        if (base != null && root.has("version")) version = base.version + "+" + version;
        Map<String, String> aliases = new HashMap<>(base == null ? Map.of() : base.aliases);
        Set<String> exact = new HashSet<>(base == null ? Set.of() : base.exactAllow);
        List<GlobalPattern> patterns = new ArrayList<>(base == null ? List.of() : base.patternAllow);
        Map<String, GlobalRule> deny = new LinkedHashMap<>();
        if (base != null) for (GlobalRule r : base.deny) deny.put(r.id(), r);
        Set<String> roots = new HashSet<>(base == null ? Set.of() : base.walkRoots);

        JsonNode a = root.path("aliases");
        for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            aliases.put(e.getKey(), e.getValue().asText());
        }
        for (JsonNode r : root.path("walkRoots")) roots.add(r.asText());
        int i = 0;
        for (JsonNode entry : root.path("allow")) {
            GlobalPattern p = pattern(entry, source + ": allow[" + i++ + "]");
            if (p.isExact()) {
                for (String n : p.names()) exact.add(p.module() + "." + n);
            } else {
                patterns.add(p);
            }
        }
        i = 0;
        for (JsonNode entry : root.path("deny")) {
            String where = source + ": deny[" + i++ + "]";
            String id = text(entry, "id", where, null);
            Severity severity;
            try {
                severity = Severity.parse(text(entry, "severity", where, null));
            } catch (IllegalArgumentException e) {
                throw new PolicyException(where + ": " + e.getMessage());
            }
            List<GlobalPattern> targets = new ArrayList<>();
            int j = 0;
            for (JsonNode t : entry.path("targets")) targets.add(pattern(t, where + ".targets[" + j++ + "]"));
            if (targets.isEmpty()) throw new PolicyException(where + " (" + id + "): no targets");
            Severity scanned = null;
            if (entry.hasNonNull("scannedPayloadSeverity")) {
                try {
                    scanned = Severity.parse(entry.get("scannedPayloadSeverity").asText());
                } catch (IllegalArgumentException e) {
                    throw new PolicyException(where + ": scannedPayloadSeverity: " + e.getMessage());
                }
            }
            deny.put(id, new GlobalRule(id, severity, text(entry, "message", where, id),
                    entry.path("reference").asText(""), entry.hasNonNull("payload") ? entry.get("payload").asText() : null,
                    targets, scanned));
        }
        List<CalledParameters> callers = new ArrayList<>(base == null ? List.of() : base.callers);
        i = 0;
        for (JsonNode entry : root.path("callers")) callers.add(callers(entry, source + ": callers[" + i++ + "]"));
        return new Policy(version, aliases, exact, patterns, new ArrayList<>(deny.values()), roots, callers);
    }

    private static CalledParameters callers(JsonNode entry, String where) {
        Set<Integer> args = new HashSet<>();
        for (JsonNode n : entry.path("args")) {
            if (!n.canConvertToInt() || n.asInt() < 0) throw new PolicyException(where + ": 'args' holds parameter indexes (0, 1, ...)");
            args.add(n.asInt());
        }
        Set<String> kwargs = new HashSet<>();
        for (JsonNode n : entry.path("kwargs")) kwargs.add(n.asText());
        Set<String> state = new HashSet<>();
        for (JsonNode n : entry.path("state")) state.add(n.asText());
        if (args.isEmpty() && kwargs.isEmpty() && state.isEmpty()) {
            throw new PolicyException(where + ": names no called parameter ('args', 'kwargs' or 'state')");
        }
        return new CalledParameters(List.of(pattern(entry, where)), args, kwargs, state, entry.path("note").asText(""));
    }

    private static GlobalPattern pattern(JsonNode node, String where) {
        String module = text(node, "module", where, null);
        List<String> names = new ArrayList<>();
        JsonNode n = node.path("names");
        if (n.isTextual()) names.add(n.asText());
        for (JsonNode x : n) names.add(x.asText());
        if (names.isEmpty()) throw new PolicyException(where + ": 'names' must list at least one name or glob");
        return new GlobalPattern(module, node.path("submodules").asBoolean(false), names);
    }

    private static String text(JsonNode node, String field, String where, String fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (fallback != null) return fallback;
            throw new PolicyException(where + ": missing '" + field + "'");
        }
        if (!v.isTextual()) throw new PolicyException(where + ": '" + field + "' must be a string");
        return v.asText();
    }

    public String version() {
        return version;
    }

    private volatile String fingerprint;

    /**
     * SHA-256 of everything that decides a classification (aliases, allow and deny lists, walk roots),
     * so that cached results are never reused under a different policy that kept its version string.
     */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            StringBuilder sb = new StringBuilder(version).append('\n');
            new java.util.TreeMap<>(aliases).forEach((k, v) -> sb.append("alias ").append(k).append('=').append(v).append('\n'));
            new java.util.TreeSet<>(exactAllow).forEach(a -> sb.append("allow ").append(a).append('\n'));
            for (GlobalPattern p : patternAllow) sb.append("allow ").append(describe(p)).append('\n');
            for (GlobalRule r : deny) {
                sb.append("deny ").append(r.id()).append(' ').append(r.severity()).append(' ').append(r.payload())
                        .append(' ').append(r.scannedPayloadSeverity());
                for (GlobalPattern p : r.targets()) sb.append(' ').append(describe(p));
                sb.append('\n');
            }
            new java.util.TreeSet<>(walkRoots).forEach(w -> sb.append("walk ").append(w).append('\n'));
            for (CalledParameters c : callers) {
                sb.append("callers ").append(describe(c.targets().get(0))).append(' ').append(new java.util.TreeSet<>(c.args()))
                        .append(new java.util.TreeSet<>(c.kwargs())).append(new java.util.TreeSet<>(c.state())).append('\n');
            }
            try {
                byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                f = java.util.HexFormat.of().formatHex(h);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            fingerprint = f;
        }
        return f;
    }

    private static String describe(GlobalPattern p) {
        return p.module() + (p.submodules() ? ".**" : "") + ":" + String.join(",", p.names());
    }

    public List<GlobalRule> denyRules() {
        return deny;
    }

    /**
     * The parameters {@code module.name} calls (union of every matching {@code callers} entry), or
     * null when it calls none of what it is given.
     */
    public CalledParameters calledParameters(String rawModule, String name) {
        String module = canonicalModule(rawModule);
        CalledParameters found = null;
        for (CalledParameters c : callers) {
            if (!c.matches(module, name)) continue;
            if (found == null) {
                found = c;
            } else {
                Set<Integer> a = new HashSet<>(found.args());
                a.addAll(c.args());
                Set<String> k = new HashSet<>(found.kwargs());
                k.addAll(c.kwargs());
                Set<String> s = new HashSet<>(found.state());
                s.addAll(c.state());
                List<GlobalPattern> t = new ArrayList<>(found.targets());
                t.addAll(c.targets());
                found = new CalledParameters(t, a, k, s, found.note().isEmpty() ? c.note() : found.note());
            }
        }
        return found;
    }

    /** Canonical module name (Python 2 names and private aliases mapped). */
    public String canonicalModule(String module) {
        return aliases.getOrDefault(module, module);
    }

    /** Classifies the global {@code module.name} as the unpickler would resolve it. */
    public Classification classify(String rawModule, String name) {
        String module = canonicalModule(rawModule);
        String full = module + "." + name;
        if (exactAllow.contains(full)) {
            GlobalRule exactDeny = firstDeny(module, name, true);
            return exactDeny != null ? new Classification(Classification.Kind.DENIED, exactDeny, full)
                    : Classification.allowed(full);
        }
        Classification denied = worse(null, firstDeny(module, name, false), full);

        // Attribute walks: "torch" + "os.system", or "pathlib.os" + "system", reach os.system. A walk
        // can land on something worse than its start ("shutil" + "os.system" is os.system, not shutil).
        String[] parts = full.split("\\.", -1);
        int moduleParts = module.split("\\.", -1).length;
        for (int j = 1; j < parts.length - 1; j++) {
            String m = walkSegment(parts[j]);
            if (j < moduleParts && !walkRoots.contains(parts[j]) && !walkRoots.contains(m)) continue;
            String rest = String.join(".", java.util.Arrays.copyOfRange(parts, j + 1, parts.length));
            denied = worse(denied, firstDeny(m, rest, false), m + "." + rest);
            // A package's attribute is its submodule once imported: "logging" + "config.listen" is logging.config.listen.
            String prefix = canonicalModule(String.join(".", java.util.Arrays.copyOfRange(parts, 0, j + 1)));
            denied = worse(denied, firstDeny(prefix, rest, false), prefix + "." + rest);
        }
        for (String part : name.split("\\.", -1)) {
            if (part.length() > 4 && part.startsWith("__") && part.endsWith("__")) {
                // "shutil" + "__init__.__globals__" is a dunder walk first, a file-access module second.
                denied = worse(denied, DUNDER_RULE, full);
                break;
            }
        }
        if (denied != null) return denied;
        if (name.indexOf('.') < 0) {
            for (GlobalPattern p : patternAllow) {
                if (p.matchesWhole(module, name)) return Classification.allowed(full);
            }
        }
        return Classification.unknown(full);
    }

    /**
     * A module reached as an attribute: aliases apply, and a private alias of a walk root
     * ({@code tempfile._os}, {@code collections._sys}, {@code X._shutil}: modules that
     * {@code import os as _os}) is that module.
     */
    private String walkSegment(String segment) {
        String m = canonicalModule(segment);
        if (m.equals(segment) && segment.length() > 1 && segment.charAt(0) == '_' && segment.charAt(1) != '_'
                && walkRoots.contains(segment.substring(1))) {
            return segment.substring(1);
        }
        return m;
    }

    /** {@code current}, or {@code rule} matched as {@code matchedAs} when it is more severe. */
    private static Classification worse(Classification current, GlobalRule rule, String matchedAs) {
        if (rule == null || current != null && rule.severity().compareTo(current.rule().severity()) <= 0) return current;
        return new Classification(Classification.Kind.DENIED, rule, matchedAs);
    }

    private GlobalRule firstDeny(String module, String name, boolean exactOnly) {
        GlobalRule best = null;
        for (GlobalRule r : deny) {
            boolean hit = exactOnly ? r.matchesExactly(module, name) : r.matches(module, name);
            if (hit && (best == null || r.severity().compareTo(best.severity()) > 0)) best = r;
        }
        return best;
    }
}
