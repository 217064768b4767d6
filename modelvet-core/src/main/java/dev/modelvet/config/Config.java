package dev.modelvet.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelvet.policy.Policy;
import dev.modelvet.policy.PolicyException;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * {@code modelvet.yaml}: the team's settings for scans. Read with SnakeYAML Engine's composer (a node
 * tree with line numbers; no object construction), validated key by key.
 *
 * <pre>
 * fail-on: high
 * allow:                      # extra allowed globals (policy shape)
 *   - {module: mylib.models, names: [Net, "*Config"]}
 * deny:                       # extra deny rules (policy shape)
 *   - {id: org-no-requests, severity: high, message: network client, targets: [{module: requests, submodules: true, names: "*"}]}
 * severity:                   # severity overrides by rule id
 *   pickle-unknown-global: low
 * ignore:                     # by rule id (or any rule) and path glob
 *   - {rule: pickle-unknown-class, path: "legacy/**"}
 * trusted:
 *   sha256: [3f2a...]         # these files are not scanned; reported as trusted
 *   huggingface: [my-org/*]   # Hub repositories whose files are trusted
 * </pre>
 */
public final class Config {
    public static final List<String> FILE_NAMES = List.of("modelvet.yaml", ".modelvet.yaml", "modelvet.yml");
    private static final Set<String> KEYS = Set.of("version", "fail-on", "allow", "deny", "severity", "ignore", "trusted");

    private final String source;
    private final Severity failOn;
    private final ObjectNode policy;
    private final Map<String, Severity> severities;
    private final List<Ignore> ignores;
    private final Set<String> trustedSha256;
    private final List<String> trustedRepos;

    /** One ignore entry: a rule id ({@code *} for any) and a path glob ({@code **} crosses folders). */
    public record Ignore(String rule, String pathGlob, java.util.regex.Pattern pattern) {
        boolean matches(String ruleId, String path) {
            return (rule.equals("*") || rule.equals(ruleId)) && (pattern == null || pattern.matcher(normal(path)).matches());
        }
    }

    private Config(String source, Severity failOn, ObjectNode policy, Map<String, Severity> severities, List<Ignore> ignores,
                   Set<String> trustedSha256, List<String> trustedRepos) {
        this.source = source;
        this.failOn = failOn;
        this.policy = policy;
        this.severities = Map.copyOf(severities);
        this.ignores = List.copyOf(ignores);
        this.trustedSha256 = Set.copyOf(trustedSha256);
        this.trustedRepos = List.copyOf(trustedRepos);
    }

    public static Config empty() {
        return new Config("(none)", null, null, Map.of(), List.of(), Set.of(), List.of());
    }

    /** The first of {@link #FILE_NAMES} in {@code dir}, if any. */
    public static Optional<Path> discover(Path dir) {
        for (String n : FILE_NAMES) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    public static Config load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    public static Config parse(String text, String source) {
        Node root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(source).setAllowDuplicateKeys(false)
                    .setMaxAliasesForCollections(10).setCodePointLimit(4 * 1024 * 1024).build();
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
            root = composer.getSingleNode().orElse(null);
        } catch (YamlEngineException e) {
            throw new ConfigException(source + ": invalid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (root == null) return empty();
        Reader r = new Reader(source);
        MappingNode map = r.mapping(root, "the configuration");
        Severity failOn = null;
        ObjectNode policy = null;
        Map<String, Severity> severities = new HashMap<>();
        List<Ignore> ignores = new ArrayList<>();
        Set<String> sha = new HashSet<>();
        List<String> repos = new ArrayList<>();
        for (NodeTuple t : map.getValue()) {
            String key = r.scalar(t.getKeyNode(), "a key");
            Node v = t.getValueNode();
            switch (key) {
                case "version" -> {
                    String ver = r.scalar(v, "version");
                    if (!ver.equals("1")) throw r.error(v, "unsupported configuration version '" + ver + "' (expected 1)");
                }
                case "fail-on" -> failOn = r.severity(v);
                case "allow", "deny" -> {
                    if (policy == null) policy = JsonNodeFactory.instance.objectNode().put("version", "config");
                    r.sequence(v, key);
                    policy.set(key, r.toJson(v));
                }
                case "severity" -> {
                    for (NodeTuple s : r.mapping(v, "severity").getValue()) {
                        severities.put(r.scalar(s.getKeyNode(), "a rule id"), r.severity(s.getValueNode()));
                    }
                }
                case "ignore" -> {
                    for (Node item : r.sequence(v, "ignore").getValue()) {
                        String rule = "*";
                        String path = null;
                        for (NodeTuple f : r.mapping(item, "an ignore entry").getValue()) {
                            String k = r.scalar(f.getKeyNode(), "a key");
                            switch (k) {
                                case "rule" -> rule = r.scalar(f.getValueNode(), "rule");
                                case "path" -> path = r.scalar(f.getValueNode(), "path");
                                default -> throw r.error(f.getKeyNode(), "unknown key '" + k + "' in an ignore entry (rule, path)");
                            }
                        }
                        if (rule.equals("*") && path == null) throw r.error(item, "an ignore entry needs a rule, a path, or both");
                        ignores.add(new Ignore(rule, path, path == null ? null : glob(path)));
                    }
                }
                case "trusted" -> {
                    for (NodeTuple f : r.mapping(v, "trusted").getValue()) {
                        String k = r.scalar(f.getKeyNode(), "a key");
                        switch (k) {
                            case "sha256" -> {
                                for (Node h : r.sequence(f.getValueNode(), "sha256").getValue()) {
                                    String hex = r.scalar(h, "a SHA-256").toLowerCase(Locale.ROOT);
                                    if (!hex.matches("[0-9a-f]{64}")) throw r.error(h, "'" + hex + "' is not a SHA-256 (64 hex digits)");
                                    sha.add(hex);
                                }
                            }
                            case "huggingface" -> {
                                for (Node h : r.sequence(f.getValueNode(), "huggingface").getValue()) repos.add(r.scalar(h, "a repository"));
                            }
                            default -> throw r.error(f.getKeyNode(), "unknown key '" + k + "' under trusted (sha256, huggingface)");
                        }
                    }
                }
                default -> throw r.error(t.getKeyNode(), "unknown key '" + key + "' (expected one of " + new java.util.TreeSet<>(KEYS) + ")");
            }
        }
        Config c = new Config(source, failOn, policy, severities, ignores, sha, repos);
        c.policy(Policy.bundled());   // validate the policy section now, with the file's name in the message
        return c;
    }

    public String source() {
        return source;
    }

    /** The fail-on severity the file sets, if any. */
    public Optional<Severity> failOn() {
        return Optional.ofNullable(failOn);
    }

    /** {@code base} extended by the file's allow/deny sections. */
    public Policy policy(Policy base) {
        if (policy == null) return base;
        try {
            return base.extend(policy, source);
        } catch (PolicyException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    public boolean isTrusted(String sha256) {
        return trustedSha256.contains(sha256.toLowerCase(Locale.ROOT));
    }

    public boolean hasTrustedHashes() {
        return !trustedSha256.isEmpty();
    }

    /** Whether a Hub repository ({@code owner/name}) is trusted; entries may end with {@code /*}. */
    public boolean isTrustedRepo(String repo) {
        for (String t : trustedRepos) {
            if (t.equals(repo) || (t.endsWith("/*") && repo.startsWith(t.substring(0, t.length() - 1)))) return true;
        }
        return false;
    }

    /** Severity override for a rule, if any. */
    public Optional<Severity> severityOf(String ruleId) {
        return Optional.ofNullable(severities.get(ruleId));
    }

    public boolean ignored(String ruleId, String findingPath, String inputPath) {
        for (Ignore i : ignores) {
            if (i.matches(ruleId, findingPath) || i.matches(ruleId, inputPath)) return true;
        }
        return false;
    }

    public boolean hasFilters() {
        return !severities.isEmpty() || !ignores.isEmpty();
    }

    /** The result with severity overrides and ignores applied, and its verdict recomputed. */
    public dev.modelvet.scan.ArtifactResult apply(dev.modelvet.scan.ArtifactResult r) {
        if (!hasFilters()) return r;
        List<dev.modelvet.scan.Finding> kept = new ArrayList<>();
        Severity max = null;
        for (dev.modelvet.scan.Finding f : r.findings()) {
            if (ignored(f.ruleId(), f.path(), r.path())) continue;
            Severity s = severityOf(f.ruleId()).orElse(f.severity());
            dev.modelvet.scan.Finding g = s == f.severity() ? f
                    : new dev.modelvet.scan.Finding(f.ruleId(), s, f.path(), f.offset(), f.message(), f.evidence(), f.reference(),
                    f.line(), f.column());
            kept.add(g);
            max = Severity.max(max, s);
        }
        return new dev.modelvet.scan.ArtifactResult(r.path(), r.size(), r.format(),
                dev.modelvet.scan.Verdict.of(max, !r.errors().isEmpty()), max, kept, r.errors(), r.artifacts(), r.nanos());
    }

    private static String normal(String path) {
        String p = path.replace('\\', '/');
        while (p.startsWith("./")) p = p.substring(2);
        return p;
    }

    /**
     * {@code **} any characters, {@code *} any but '/', {@code ?} one. A relative glob matches at any
     * folder boundary ({@code legacy/**} matches {@code /data/models/legacy/a.pkl}); one starting
     * with '/' is anchored.
     */
    static java.util.regex.Pattern glob(String g) {
        String n = normal(g);
        StringBuilder re = new StringBuilder();
        if (!n.startsWith("/")) re.append("(?:.*/)?");
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c == '*' && i + 1 < n.length() && n.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
                if (i + 1 < n.length() && n.charAt(i + 1) == '/') i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return java.util.regex.Pattern.compile(re.toString());
    }

    /** Typed access to YAML nodes with errors that name the line. */
    private record Reader(String source) {
        ConfigException error(Node n, String message) {
            int line = n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
            return new ConfigException(source + ":" + line + ": " + message);
        }

        MappingNode mapping(Node n, String what) {
            if (n instanceof MappingNode m) return m;
            throw error(n, what + " must be a mapping (key: value)");
        }

        SequenceNode sequence(Node n, String what) {
            if (n instanceof SequenceNode s) return s;
            throw error(n, what + " must be a list");
        }

        String scalar(Node n, String what) {
            if (n instanceof ScalarNode s) return s.getValue();
            throw error(n, what + " must be a single value");
        }

        Severity severity(Node n) {
            String v = scalar(n, "a severity");
            try {
                return Severity.parse(v);
            } catch (IllegalArgumentException e) {
                throw error(n, e.getMessage());
            }
        }

        JsonNode toJson(Node n) {
            if (n instanceof ScalarNode s) {
                String v = s.getValue();
                if (v.equals("true") || v.equals("false")) return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(v));
                return JsonNodeFactory.instance.textNode(v);
            }
            if (n instanceof SequenceNode s) {
                ArrayNode a = JsonNodeFactory.instance.arrayNode();
                for (Node x : s.getValue()) a.add(toJson(x));
                return a;
            }
            if (n instanceof MappingNode m) {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                for (NodeTuple t : m.getValue()) o.set(scalar(t.getKeyNode(), "a key"), toJson(t.getValueNode()));
                return o;
            }
            throw error(n, "unsupported YAML node");
        }
    }
}
