package dev.modelvet.format.yaml;

import dev.modelvet.detect.Head;
import dev.modelvet.policy.Classification;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * YAML documents with language tags that make unsafe loaders build objects: PyYAML's
 * {@code !!python/object/apply:os.system}, Ruby's {@code !ruby/object:Gem::Installer}, SnakeYAML 1.x
 * global tags such as {@code !!javax.script.ScriptEngineManager}, and Hydra/NeMo {@code _target_}
 * keys. Read as parser events only: nothing is constructed and aliases are never expanded.
 * Plain YAML without such tags is not claimed.
 */
public final class YamlScanner implements FormatScanner {
    private static final Pattern TRIGGER = Pattern.compile("!![A-Za-z]|!ruby/|!<tag:yaml\\.org|_target_[\"']?\\s*:|!python/|^%TAG\\s",
            Pattern.MULTILINE);
    /** Text past the head is searched for a trigger up to this size (a payload deep in a long config). */
    private static final long MAX_TRIGGER_SEARCH = 32L << 20;
    private static final Pattern YAML_SHAPE = Pattern.compile("(?m)^(?:---|%YAML|\\s*[\"']?[A-Za-z_][\\w.-]*[\"']?\\s*:(?:\\s|$))");
    private static final Set<String> PY_DATA_TAGS = Set.of("python/none", "python/bool", "python/str", "python/unicode",
            "python/bytes", "python/int", "python/long", "python/float", "python/complex", "python/list", "python/tuple",
            "python/dict");
    private static final Set<String> YAML_CORE = Set.of("str", "int", "float", "bool", "null", "map", "seq", "set", "omap",
            "pairs", "binary", "timestamp", "merge", "value", "yaml");
    private static final List<String> JAVA_GADGETS = List.of("javax.script.ScriptEngineManager", "java.net.URLClassLoader",
            "java.net.URL", "com.sun.rowset.JdbcRowSetImpl", "org.springframework.", "com.mchange.v2.c3p0.",
            "org.apache.commons.configuration.", "org.apache.xbean.", "com.sun.org.apache.xalan", "java.lang.ProcessBuilder",
            "java.lang.Runtime", "org.apache.commons.collections", "bsh.", "org.codehaus.groovy.");
    private static final List<String> RUBY_GADGETS = List.of("Gem::", "Net::WriteAdapter", "Kernel", "ERB", "ActiveSupport::",
            "ActionView::", "Rack::", "Sprockets::");
    private static final List<String> HYDRA_SAFE = List.of("torch.", "transformers.", "nemo.", "pytorch_lightning.", "lightning.",
            "hydra.", "omegaconf.", "timm.", "torchvision.", "torchaudio.", "sklearn.", "numpy.", "diffusers.", "peft.",
            "accelerate.", "datasets.", "tokenizers.");

    @Override
    public String format() {
        return "yaml";
    }

    @Override
    public boolean detect(Head head) {
        if (!head.looksLikeText(4096)) return false;
        String text = new String(head.bytes(), StandardCharsets.ISO_8859_1);
        if (TRIGGER.matcher(text).find()) return true;
        // Past the head only for text that reads as YAML (a mapping key or a document marker): a vocab.txt or
        // merges.txt is not read to the end, which on a Hub scan would fetch it whole.
        return YAML_SHAPE.matcher(text).find() && head.find(TRIGGER, MAX_TRIGGER_SEARCH);
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        LoadSettings settings = LoadSettings.builder().setLabel(artifact.path()).setMaxAliasesForCollections(50)
                .setCodePointLimit((int) Math.min(Integer.MAX_VALUE, Math.max(ctx.limits().maxHeaderBytes(), 1 << 20))).build();
        int found = 0;
        Deque<boolean[]> frames = new ArrayDeque<>(); // {isMapping, nextIsKey}
        String lastKey = null;
        try (Reader r = new InputStreamReader(artifact.source().openStream(0), StandardCharsets.UTF_8)) {
            Iterator<Event> events = new Parse(settings).parseReader(r).iterator();
            while (events.hasNext()) {
                Event e = events.next();
                long offset = e.getStartMark().map(Mark::getIndex).orElse(-1);
                switch (e.getEventId()) {
                    case MappingStart, SequenceStart -> {
                        found += tag(artifact, ctx, (NodeEvent) e, offset);
                        frames.push(new boolean[] {e.getEventId() == Event.ID.MappingStart, true});
                        if (frames.size() > 512) throw new YamlEngineException("nesting deeper than 512 levels");
                    }
                    case MappingEnd, SequenceEnd -> {
                        if (!frames.isEmpty()) frames.pop();
                        completed(frames);
                    }
                    case Scalar -> {
                        ScalarEvent s = (ScalarEvent) e;
                        found += tag(artifact, ctx, s, offset);
                        boolean isKey = !frames.isEmpty() && frames.peek()[0] && frames.peek()[1];
                        if (!isKey && "_target_".equals(lastKey)) found += hydraTarget(artifact, ctx, s.getValue(), offset);
                        lastKey = isKey ? s.getValue() : null;
                        completed(frames);
                    }
                    case Alias -> completed(frames);
                    default -> { }
                }
            }
        } catch (YamlEngineException e) {
            if (found == 0) {
                ctx.noteSkipped(artifact, "yaml", "not valid YAML");
            } else {
                ctx.error(artifact, -1, "yaml-malformed", "YAML breaks after the findings above: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
        }
    }

    /** A node ended: inside a mapping, keys and values alternate. */
    private static void completed(Deque<boolean[]> frames) {
        if (!frames.isEmpty() && frames.peek()[0]) frames.peek()[1] = !frames.peek()[1];
    }

    private int tag(Artifact artifact, ScanContext ctx, NodeEvent e, long offset) {
        Optional<String> tagOpt = e instanceof ScalarEvent s ? s.getTag()
                : e instanceof org.snakeyaml.engine.v2.events.CollectionStartEvent c ? c.getTag() : Optional.empty();
        if (tagOpt.isEmpty()) return 0;
        String tag = tagOpt.get();
        String local = tag.startsWith("tag:yaml.org,2002:") ? tag.substring("tag:yaml.org,2002:".length()) : tag;
        if (local.startsWith("python/") || local.startsWith("!python/")) {
            String t = local.startsWith("!") ? local.substring(1) : local;
            if (PY_DATA_TAGS.contains(t)) return 0;
            int colon = t.indexOf(':');
            String kind = colon < 0 ? t : t.substring(0, colon);
            String target = colon < 0 ? "" : t.substring(colon + 1);
            boolean call = kind.equals("python/object/apply") || kind.equals("python/object/new");
            Severity sev = Severity.HIGH;
            String rule = "yaml-python-tag";
            String message = "PyYAML tag " + kind + " builds Python objects on yaml.load/unsafe_load";
            int dot = target.lastIndexOf('.');
            if (dot > 0) {
                Classification c = ctx.policy().classify(target.substring(0, dot), target.substring(dot + 1));
                if (c.denied()) {
                    sev = c.rule().severity();
                    message += "; " + target + ": " + c.rule().message();
                } else if (c.allowed() && !call) {
                    sev = Severity.LOW;
                } else if (call) {
                    sev = Severity.HIGH;
                }
            }
            if (kind.equals("python/module") || (call && sev.compareTo(Severity.CRITICAL) < 0 && dot < 0)) sev = Severity.CRITICAL;
            ctx.finding(artifact, offset, rule, sev, message, "!!" + t, "https://pyyaml.org/wiki/PyYAMLDocumentation");
            return 1;
        }
        if (local.startsWith("!ruby/") || local.startsWith("ruby/")) {
            boolean gadget = RUBY_GADGETS.stream().anyMatch(local::contains);
            ctx.finding(artifact, offset, "yaml-ruby-tag", gadget ? Severity.CRITICAL : Severity.HIGH,
                    "Ruby YAML tag instantiates an object on YAML.load (Psych unsafe load)", local, "CVE-2013-0156");
            return 1;
        }
        if (tag.startsWith("tag:yaml.org,2002:") && !YAML_CORE.contains(local) && local.contains(".")) {
            boolean gadget = JAVA_GADGETS.stream().anyMatch(local::startsWith);
            ctx.finding(artifact, offset, "yaml-java-tag", gadget ? Severity.CRITICAL : Severity.HIGH,
                    "global tag names a Java class that SnakeYAML 1.x (new Yaml().load) instantiates", "!!" + local, "CVE-2022-1471");
            return 1;
        }
        return 0;
    }

    private int hydraTarget(Artifact artifact, ScanContext ctx, String target, long offset) {
        String t = target.trim();
        if (t.isEmpty() || HYDRA_SAFE.stream().anyMatch(t::startsWith)) return 0;
        int dot = t.lastIndexOf('.');
        Severity sev = Severity.MEDIUM;
        String message = "Hydra/NeMo _target_ names a callable that hydra.utils.instantiate imports and calls";
        if (dot > 0) {
            Classification c = ctx.policy().classify(t.substring(0, dot), t.substring(dot + 1));
            if (c.denied()) {
                sev = c.rule().severity();
                message += "; " + c.rule().message();
            }
        }
        ctx.finding(artifact, offset, "yaml-hydra-target", sev, message, "_target_: " + t, "CVE-2025-23304");
        return 1;
    }
}
