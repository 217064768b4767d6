package dev.modelvet.format.pickle;

import dev.modelvet.policy.CalledParameters;
import dev.modelvet.policy.Classification;
import dev.modelvet.policy.GlobalRule;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.Finding;
import dev.modelvet.scan.ScanContext;
import dev.modelvet.scan.Severity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects what the machine reports for one artifact (all its streams) and turns it into findings:
 * one per global (its worst use), plus structural findings. Findings are buffered so that content
 * which turns out not to be a pickle leaves no trace.
 */
final class PickleAnalysis implements PickleSink {
    private final ScanContext ctx;
    private final Artifact artifact;
    private final boolean persistentIdsExpected;
    private final boolean torchScript;
    private final Map<String, GlobalUse> uses = new LinkedHashMap<>();
    private final List<Finding> structural = new ArrayList<>();
    private final List<Runnable> nested = new ArrayList<>();
    private boolean persistentReported;
    private final Map<String, CalledParameters> callers = new java.util.HashMap<>();
    private static final CalledParameters NONE = new CalledParameters(List.of(), java.util.Set.of(), java.util.Set.of(),
            java.util.Set.of("-"), "");

    PickleAnalysis(ScanContext ctx, Artifact artifact, boolean persistentIdsExpected) {
        this.ctx = ctx;
        this.artifact = artifact;
        this.persistentIdsExpected = persistentIdsExpected;
        this.torchScript = ctx.isTorchScript(artifact);
    }

    /** How one global was used across the artifact. */
    private static final class GlobalUse {
        final Value.Global global;
        int calls;
        int instantiations;
        /** Calls of a payload-loading global whose payload was not literally in the file. */
        int opaquePayloads;
        /** getattr calls that resolved to an allow-listed attribute, and whether getattr was also passed around. */
        int allowedLookups;
        boolean passedAsArgument;
        /** Its first call is made by an allow-listed callee it was handed to, not by the pickle. */
        boolean laundered;
        String lookedUp;
        long firstUseOffset;
        String evidence;

        GlobalUse(Value.Global global) {
            this.global = global;
            this.firstUseOffset = global.offset();
        }
    }

    @Override
    public void global(Value.Global g) {
        uses.computeIfAbsent(g.module() + "\n" + g.name(), k -> new GlobalUse(g));
    }

    @Override
    public void lookup(Value.Global getattr, String resolved, long offset) {
        GlobalUse use = uses.computeIfAbsent(getattr.module() + "\n" + getattr.name(), k -> new GlobalUse(getattr));
        if (use.allowedLookups++ == 0) use.lookedUp = resolved;
    }

    @Override
    public void call(Value.Call call) {
        if (call.args instanceof Value.Tuple args) {
            for (Value a : args.items()) {
                if (a instanceof Value.Global passed) {
                    GlobalUse u = uses.get(passed.module() + "\n" + passed.name());
                    if (u != null) u.passedAsArgument = true;
                }
            }
        }
        if (!(call.callable instanceof Value.Global g)) return;
        reconstructorTargets(g, call);
        calledArguments(g, call);
        GlobalUse use = uses.computeIfAbsent(g.module() + "\n" + g.name(), k -> new GlobalUse(g));
        boolean invocation = call.how == Opcode.REDUCE || call.how == Opcode.INST || call.how == Opcode.OBJ;
        if (invocation) {
            if (use.calls++ == 0) {
                use.firstUseOffset = call.offset;
                use.evidence = Render.call(g, call.args);
            }
        } else {
            if (use.instantiations++ == 0 && use.calls == 0) {
                use.firstUseOffset = call.offset;
                use.evidence = call.how == Opcode.BUILD
                        ? g.dotted() + ".__setstate__(" + Render.of(first(call.args)) + ")"
                        : Render.call(g, call.args);
            }
        }
        GlobalRule rule = g.classification().rule();
        if (rule != null && rule.payload() != null) {
            ByteSource payload = payloadOf(call.args);
            if (payload != null) {
                String name = g.dotted() + "@" + call.offset;
                nested.add(() -> ctx.scanChild(artifact.child(name, payload)));
            } else {
                use.opaquePayloads++;
            }
        }
    }

    /**
     * copyreg's helpers call what they are given: {@code _reconstructor(cls, base, state)} runs
     * {@code base.__new__} and {@code base.__init__}; {@code __newobj__(cls, ...)} runs {@code cls.__new__}.
     */
    private void reconstructorTargets(Value.Global g, Value.Call call) {
        if (!(call.args instanceof Value.Tuple t) || t.items().isEmpty()) return;
        String f = ctx.policy().canonicalModule(g.module()) + "." + g.name();
        if (f.equals("copyreg._reconstructor") && t.items().size() >= 2 && t.items().get(1) instanceof Value.Global base
                && !base.classification().allowed()) {
            call(new Value.Call(base, new Value.Tuple(t.items().subList(2, t.items().size())), call.offset, Opcode.REDUCE));
        } else if ((f.equals("torch._tensor._rebuild_from_type_v2") || f.equals("torch._tensor._rebuild_from_type"))
                && t.items().size() >= 3 && t.items().get(2) instanceof Value.Tuple fargs) {
            Value func = t.items().get(0);
            if (!(func instanceof Value.Global)) {
                structural("pickle-dynamic-call", Severity.HIGH, call.offset, g.dotted() + " calls a computed value",
                        Render.call(func, fargs));
            }
            call(new Value.Call(func, fargs, call.offset, Opcode.REDUCE)); // func(*args)
        } else if (f.equals("copyreg.__newobj_ex__") && t.items().size() == 3 && t.items().get(0) instanceof Value.Global cls
                && t.items().get(1) instanceof Value.Tuple args) {
            List<Value> all = new ArrayList<>(args.items());
            all.add(t.items().get(2)); // the NEWOBJ_EX shape: positional arguments, then the keyword dict
            call(new Value.Call(cls, new Value.Tuple(all), call.offset, Opcode.NEWOBJ_EX));
        } else if ((f.equals("copyreg.__newobj__") || f.equals("copyreg.__newobj_ex__")) && t.items().get(0) instanceof Value.Global cls) {
            call(new Value.Call(cls, new Value.Tuple(t.items().subList(1, t.items().size())), call.offset, Opcode.NEWOBJ));
        }
    }

    /** The policy's called parameters of {@code g}, cached per global; {@link #NONE} when it calls nothing it is given. */
    private CalledParameters calledParameters(Value.Global g) {
        CalledParameters p = callers.computeIfAbsent(g.module() + "\n" + g.name(), k -> {
            CalledParameters c = ctx.policy().calledParameters(g.module(), g.name());
            return c == null ? NONE : c;
        });
        return p == NONE ? null : p;
    }

    /** A callable passed to a parameter that {@code g} calls (defaultdict(f), partial(f), LambdaLR(opt, f)) is judged as called. */
    private void calledArguments(Value.Global g, Value.Call call) {
        CalledParameters p = calledParameters(g);
        if (p == null || !(call.args instanceof Value.Tuple t)) return;
        List<Value> items = t.items();
        int positional = items.size();
        if (call.how == Opcode.NEWOBJ_EX && !items.isEmpty()) {
            positional--;
            if (items.get(positional) instanceof Value.Container kw) {
                for (int i = 0; i + 1 < kw.items.size(); i += 2) {
                    if (kw.items.get(i) instanceof Value.Str k && p.kwargs().contains(k.value())) {
                        launder(kw.items.get(i + 1), g, k.value(), p, call.offset, 0);
                    }
                }
                if (!p.kwargs().isEmpty()) for (Value v : kw.callables) launder(v, g, "**kwargs", p, call.offset, 0);
            }
        }
        for (int i = 0; i < positional; i++) {
            if (p.args().contains(i)) launder(items.get(i), g, "argument " + i, p, call.offset, 0);
        }
    }

    @Override
    public void built(Value.Call object, Value.Global cls, Value state, long offset) {
        CalledParameters p = calledParameters(cls);
        if (p == null || p.state().isEmpty()) return;
        if (state instanceof Value.Tuple t && t.items().size() == 2
                && (t.items().get(0) instanceof Value.Container || t.items().get(1) instanceof Value.Container)) {
            for (Value part : t.items()) calledState(part, cls, p, offset); // (__dict__, slot state)
        } else if (state instanceof Value.Tuple t) {
            for (int i = 0; i < t.items().size(); i++) {
                if (p.stateCalled(Integer.toString(i))) launder(t.items().get(i), cls, "state[" + i + "]", p, offset, 0);
            }
        } else {
            calledState(state, cls, p, offset);
        }
    }

    private void calledState(Value state, Value.Global cls, CalledParameters p, long offset) {
        if (!(state instanceof Value.Container d) || d.kind != Value.Container.Kind.DICT) return;
        for (int i = 0; i + 1 < d.items.size(); i += 2) {
            if (d.items.get(i) instanceof Value.Str k && p.stateCalled(k.value())) {
                launder(d.items.get(i + 1), cls, "state '" + k.value() + "'", p, offset, 0);
            }
        }
        for (Value v : d.callables) launder(v, cls, "state", p, offset, 0);
    }

    /** Containers that only hold what they are given, walked to find callables (lists of lambdas, dicts of hooks). */
    private static final java.util.Set<String> HOLDERS = java.util.Set.of("collections.OrderedDict", "collections.defaultdict",
            "collections.deque", "builtins.list", "builtins.dict", "builtins.tuple", "builtins.set", "builtins.frozenset");

    /**
     * Judges {@code v}, which {@code via} will call, as called: a global off the allow-list is a call of
     * it; an object of a class off the allow-list has its {@code __call__} run; a computed value is a
     * dynamic call. Lists, tuples and dicts (also OrderedDicts of hooks) are walked, boundedly.
     */
    private void launder(Value v, Value.Global via, String param, CalledParameters p, long offset, int depth) {
        if (depth > 4) return;
        String how = via.dotted() + " calls its " + param + (p.note().isEmpty() ? "" : " (" + p.note() + ")");
        if (v instanceof Value.Global f) {
            if (f.classification().allowed()) return;
            GlobalUse use = uses.computeIfAbsent(f.module() + "\n" + f.name(), k -> new GlobalUse(f));
            if (use.calls++ == 0) {
                use.firstUseOffset = offset;
                use.evidence = f.dotted() + " <- " + how;
                use.laundered = true;
            }
        } else if (v instanceof Value.Call c) {
            if (c.callable instanceof Value.Global cls && cls.classification().allowed()) {
                if (!HOLDERS.contains(ctx.policy().canonicalModule(cls.module()) + "." + cls.name())) return;
                launder(c.args, via, param, p, offset, depth + 1);
                if (c.filled != null) launder(c.filled, via, param, p, offset, depth + 1);
                if (c.state != null) launder(c.state, via, param, p, offset, depth + 1);
            } else if (c.callable instanceof Value.Global cls && !cls.classification().denied()) {
                structural("pickle-laundered-call", Severity.HIGH, offset,
                        how + ": it calls an object of " + cls.dotted() + ", a class that is not on the allow-list",
                        cls.dotted() + "(...).__call__ <- " + via.dotted());
            }
        } else if (v instanceof Value.Tuple t) {
            int n = 0;
            for (Value x : t.items()) {
                if (n++ >= 256) break;
                launder(x, via, param, p, offset, depth + 1);
            }
        } else if (v instanceof Value.Container c) {
            boolean dict = c.kind == Value.Container.Kind.DICT;
            for (int i = dict ? 1 : 0; i < c.items.size(); i += dict ? 2 : 1) launder(c.items.get(i), via, param, p, offset, depth + 1);
            for (Value x : c.callables) launder(x, via, param, p, offset, depth + 1);
        }
    }

    private static Value first(Value args) {
        return args instanceof Value.Tuple t && !t.items().isEmpty() ? t.items().get(0) : args;
    }

    /** The bytes a nested loader would unpickle, when they are literally in the pickle. */
    private ByteSource payloadOf(Value args) {
        Value v = first(args);
        if (v instanceof Value.Bytes b) {
            if (b.sourceOffset() >= 0 && b.sourceOffset() + b.length() <= artifact.size()) {
                return artifact.source().slice(b.sourceOffset(), b.length());
            }
            if (b.data() != null) return ByteSource.of(b.data());
        }
        if (v instanceof Value.Str s && !s.truncated()) {
            return ByteSource.of(s.value().getBytes(StandardCharsets.ISO_8859_1));
        }
        return null;
    }

    @Override
    public void structural(String ruleId, Severity severity, long offset, String message, String evidence) {
        structural.add(new Finding(ruleId, severity, artifact.path(), offset, message, evidence, ""));
    }

    @Override
    public void frameView(long opOffset, long readStart, long frameEnd) {
        if (nested.size() > 16) return;
        ByteSource src = artifact.source();
        ByteSource view = ByteSource.concat(src.slice(opOffset, readStart - opOffset), src.slice(frameEnd, src.size() - frameEnd));
        Artifact child = artifact.child("frame-boundary-view@" + opOffset, view);
        nested.add(() -> PickleScanner.scanFragment(child, ctx));
    }

    @Override
    public void persistentId(Value pid, long offset) {
        if (persistentIdsExpected || persistentReported) return;
        persistentReported = true;
        structural("pickle-persistent-id", Severity.LOW, offset,
                "persistent id: the object is supplied by the loading program's persistent_load", Render.of(pid));
    }

    boolean hasGlobals() {
        return !uses.isEmpty();
    }

    /** Reports everything collected, then scans nested payloads. */
    void flush() {
        for (Finding f : structural) ctx.report(f);
        for (GlobalUse use : uses.values()) {
            Finding f = findingFor(use);
            if (f != null) ctx.report(f);
        }
        for (Runnable r : nested) r.run();
    }

    private Finding findingFor(GlobalUse use) {
        Value.Global g = use.global;
        Classification c = g.classification();
        if (torchScript && c.kind() == Classification.Kind.UNKNOWN && g.module().startsWith("__torch__")) {
            return null; // a class compiled from this archive's code/, reported once as torch-torchscript
        }
        String how = use.calls > 0 ? "called" : use.instantiations > 0 ? "instantiated" : "referenced";
        String evidence = use.evidence != null ? use.evidence : g.dotted();
        if (c.kind() != Classification.Kind.ALLOWED && use.allowedLookups > 0 && use.calls == 0 && use.instantiations == 0
                && !use.passedAsArgument) {
            return new Finding("pickle-attribute-lookup", Severity.INFO, artifact.path(), use.firstUseOffset,
                    g.dotted() + " used only to look up allow-listed names (" + use.lookedUp
                            + (use.allowedLookups > 1 ? " and " + (use.allowedLookups - 1) + " more" : "") + ")",
                    g.dotted() + "(..., '" + use.lookedUp.substring(use.lookedUp.lastIndexOf('.') + 1) + "')", "");
        }
        switch (c.kind()) {
            case ALLOWED -> {
                return null;
            }
            case DENIED -> {
                GlobalRule rule = c.rule();
                String via = c.matchedAs().equals(g.dotted()) ? "" : " (resolves to " + c.matchedAs() + ")";
                boolean judgedByNestedScan = rule.scannedPayloadSeverity() != null && use.calls > 0
                        && use.instantiations == 0 && use.opaquePayloads == 0;
                Severity severity = judgedByNestedScan ? rule.scannedPayloadSeverity() : rule.severity();
                String more = judgedByNestedScan ? " (every payload is in the file and was scanned as a nested artifact)" : "";
                return new Finding(rule.id(), severity, artifact.path(), use.firstUseOffset,
                        g.dotted() + " " + how + via + ": " + rule.message() + more, evidence, rule.reference());
            }
            default -> {
                if (use.calls > 0) {
                    return new Finding("pickle-unknown-callable", Severity.HIGH, artifact.path(), use.firstUseOffset,
                            g.dotted() + (use.laundered
                                    ? " handed to a callee that calls it: a global that is not on the allow-list is invoked by the loaded object"
                                    : " called: a global that is not on the allow-list is invoked while loading"),
                            evidence, "");
                }
                if (use.instantiations > 0) {
                    return new Finding("pickle-unknown-class", Severity.MEDIUM, artifact.path(), use.firstUseOffset,
                            g.dotted() + " instantiated: a class that is not on the allow-list is rebuilt while loading",
                            evidence, "");
                }
                return new Finding("pickle-unknown-global", Severity.MEDIUM, artifact.path(), use.firstUseOffset,
                        g.dotted() + " referenced: a global that is not on the allow-list is imported while loading",
                        evidence, "");
            }
        }
    }
}
