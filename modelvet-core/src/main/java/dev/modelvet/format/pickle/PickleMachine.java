package dev.modelvet.format.pickle;

import dev.modelvet.policy.Classification;
import dev.modelvet.policy.Policy;
import dev.modelvet.scan.LimitExceededException;
import dev.modelvet.scan.Limits;
import dev.modelvet.scan.Severity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Symbolic execution of one pickle stream, opcode by opcode, with the stack, mark stack and memo of
 * CPython's unpickler. Nothing is imported or called: globals become {@link Value.Global}, calls
 * become {@link Value.Call}, and the {@link PickleSink} hears about each. The machine mirrors the
 * loader closely enough to resolve STACK_GLOBAL operands from the memo, to see calls whose result is
 * discarded, and to skip the raw array bytes joblib writes inline after a {@code NumpyArrayWrapper}.
 */
final class PickleMachine {
    private static final String JOBLIB_WRAPPER = "joblib.numpy_pickle.NumpyArrayWrapper";
    /** CPython's highest protocol. */
    static final int HIGHEST_PROTOCOL = 5;

    private final PickleReader in;
    private final PickleSink sink;
    private final Policy policy;
    private final Limits limits;
    private final Map<String, Classification> classified;
    private final int nesting;
    /**
     * Fragment mode, for a view that starts mid-stream: values from before the view are unknown
     * instead of errors (stack underflow, memo misses, missing marks).
     */
    private final boolean lenient;

    private final ArrayList<Value> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final Memo memo;
    /** Attributes written into module-level objects by BUILD (numpy.prod.a = 'os'), by dotted name. */
    private final Map<String, Map<String, Value>> mutated = new HashMap<>();

    int protocol;
    long opcodes;
    boolean sawGlobal;

    PickleMachine(PickleReader in, PickleSink sink, Policy policy, Limits limits,
                  Map<String, Classification> classified, int nesting) {
        this(in, sink, policy, limits, classified, nesting, false);
    }

    PickleMachine(PickleReader in, PickleSink sink, Policy policy, Limits limits,
                  Map<String, Classification> classified, int nesting, boolean lenient) {
        this.in = in;
        this.sink = sink;
        this.policy = policy;
        this.limits = limits;
        this.classified = classified;
        this.nesting = nesting;
        this.lenient = lenient;
        this.memo = new Memo(limits.maxMemoEntries());
    }

    /** Runs until STOP; throws {@link PickleFormatException} where CPython's loader would fail. */
    Value run() throws IOException {
        boolean first = true;
        while (true) {
            Opcode op = in.next();
            if (++opcodes > limits.maxPickleOpcodes()) {
                throw new LimitExceededException("limit-pickle-opcodes",
                        "more than " + limits.maxPickleOpcodes() + " opcodes in one pickle stream");
            }
            if (in.frameViolation != null) {
                sink.structural("pickle-frame-mismatch", Severity.HIGH, in.frameViolationOffset,
                        "FRAME length disagrees with the opcodes inside it; CPython's C and Python loaders and "
                                + "naive scanners read such a stream differently", in.frameViolation);
                if (in.straddleReadStart >= 0) sink.frameView(in.offset, in.straddleReadStart, in.straddleFrameEnd);
            }
            long at = in.offset;
            switch (op) {
                case PROTO -> {
                    int v = (int) in.longArg;
                    if (v > HIGHEST_PROTOCOL) {
                        throw new PickleFormatException("pickle-unsupported-protocol", at, "unsupported pickle protocol: " + v);
                    }
                    if (!first) {
                        sink.structural("pickle-misplaced-proto", Severity.LOW, at,
                                "PROTO opcode in the middle of a stream (pickle writers put it first)", "PROTO " + v);
                    }
                    protocol = v;
                }
                case FRAME -> { }
                case STOP -> {
                    Value result = pop(at, op);
                    if (in.overlongFrame != null) {
                        // An error like the C unpickler's, raised only now so that everything the
                        // pure-Python pickle._Unpickler (joblib.load, torch.package) would run is analysed.
                        throw new PickleFormatException("pickle-frame-overlong", in.overlongFrameOffset, in.overlongFrame
                                + ": CPython's C unpickler refuses the stream, the pure-Python unpickler runs it to STOP");
                    }
                    if (markCount > 0 || !stack.isEmpty()) {
                        sink.structural("pickle-unbalanced-stop", Severity.LOW, at,
                                "STOP leaves " + stack.size() + " values and " + markCount + " marks unused", "");
                    }
                    return result;
                }
                case NONE -> push(Value.Const.NONE);
                case NEWTRUE -> push(Value.Const.TRUE);
                case NEWFALSE -> push(Value.Const.FALSE);
                case INT -> push(in.isBool ? (in.boolArg ? Value.Const.TRUE : Value.Const.FALSE) : integer());
                case BININT, BININT1, BININT2, LONG, LONG1, LONG4 -> push(integer());
                case FLOAT, BINFLOAT -> push(new Value.Flt(in.doubleArg));
                case STRING, BINSTRING, SHORT_BINSTRING -> push(new Value.Str(in.strArg, in.strTruncated));
                case UNICODE, BINUNICODE, SHORT_BINUNICODE, BINUNICODE8 -> push(new Value.Str(in.strArg, in.strTruncated));
                case BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8 ->
                        push(new Value.Bytes(in.bytesArg, in.bytesLength, in.bytesOffset));
                case NEXT_BUFFER -> {
                    sink.structural("pickle-out-of-band-buffer", Severity.LOW, at,
                            "protocol-5 out-of-band buffer: content supplied by the loading program", "NEXT_BUFFER");
                    push(new Value.Opaque("out-of-band buffer"));
                }
                case READONLY_BUFFER -> peek(at, op);
                case EMPTY_TUPLE -> push(new Value.Tuple(List.of()));
                case EMPTY_LIST -> push(new Value.Container(Value.Container.Kind.LIST, limits.maxContainerItems()));
                case EMPTY_DICT -> push(new Value.Container(Value.Container.Kind.DICT, limits.maxContainerItems()));
                case EMPTY_SET -> push(new Value.Container(Value.Container.Kind.SET, limits.maxContainerItems()));
                case TUPLE -> push(new Value.Tuple(popMark(at, op)));
                case TUPLE1 -> {
                    Value a = pop(at, op);
                    push(new Value.Tuple(List.of(a)));
                }
                case TUPLE2 -> {
                    Value b = pop(at, op);
                    Value a = pop(at, op);
                    push(new Value.Tuple(List.of(a, b)));
                }
                case TUPLE3 -> {
                    Value c = pop(at, op);
                    Value b = pop(at, op);
                    Value a = pop(at, op);
                    push(new Value.Tuple(List.of(a, b, c)));
                }
                case LIST -> push(fill(Value.Container.Kind.LIST, popMark(at, op)));
                case FROZENSET -> push(fill(Value.Container.Kind.FROZENSET, popMark(at, op)));
                case DICT -> {
                    List<Value> items = popMark(at, op);
                    Value.Container d = new Value.Container(Value.Container.Kind.DICT, limits.maxContainerItems());
                    for (int i = 0; i + 1 < items.size(); i += 2) d.put(items.get(i), items.get(i + 1));
                    if (items.size() % 2 != 0) throw new PickleFormatException("pickle-odd-dict", at, "odd number of items for DICT");
                    push(d);
                }
                case APPEND -> {
                    Value v = pop(at, op);
                    append(peek(at, op), List.of(v), at, "append");
                }
                case APPENDS -> {
                    List<Value> items = popMark(at, op);
                    append(peek(at, op), items, at, "extend");
                }
                case ADDITEMS -> {
                    List<Value> items = popMark(at, op);
                    Value target = peek(at, op);
                    if (target instanceof Value.Container c && c.kind == Value.Container.Kind.SET) {
                        for (Value v : items) c.add(v);
                    } else {
                        implicitCall(target, "add", items, at);
                    }
                }
                case SETITEM -> {
                    Value v = pop(at, op);
                    Value k = pop(at, op);
                    setItems(peek(at, op), List.of(k, v), at);
                }
                case SETITEMS -> {
                    List<Value> items = popMark(at, op);
                    if (items.size() % 2 != 0) throw new PickleFormatException("pickle-odd-dict", at, "odd number of items for SETITEMS");
                    setItems(peek(at, op), items, at);
                }
                case POP -> {
                    if (!stack.isEmpty() && stack.size() > markBase()) {
                        stack.remove(stack.size() - 1);
                    } else if (markCount > 0 && stack.size() == markBase()) {
                        popMark(at, op);
                    } else {
                        throw underflow(at, op);
                    }
                }
                case POP_MARK -> popMark(at, op);
                case DUP -> push(peek(at, op));
                case MARK -> {
                    if (markCount == marks.length) marks = java.util.Arrays.copyOf(marks, marks.length * 2);
                    marks[markCount++] = stack.size();
                    checkDepth(at);
                }
                case GET, BINGET, LONG_BINGET -> {
                    Value v = memo.get(in.longArg);
                    if (v == null && lenient) v = new Value.Opaque("memo " + in.longArg + " from before this view");
                    if (v == null) {
                        throw new PickleFormatException("pickle-memo-missing", at, "memo value not found at index " + in.longArg);
                    }
                    push(v);
                }
                case PUT, BINPUT, LONG_BINPUT -> {
                    if (in.longArg < 0) throw new PickleFormatException("pickle-bad-argument", at, "negative PUT argument");
                    memoPut(in.longArg, peek(at, op), at);
                }
                case MEMOIZE -> memoPut(memo.size(), peek(at, op), at);
                case GLOBAL -> push(global(in.strArg, in.strArg2, at));
                case STACK_GLOBAL -> {
                    Value name = pop(at, op);
                    Value module = pop(at, op);
                    push(stackGlobal(module, name, at));
                }
                case INST -> {
                    String module = in.strArg;
                    String name = in.strArg2;
                    List<Value> args = popMark(at, op);
                    Value.Global cls = global(module, name, at);
                    push(call(cls, new Value.Tuple(args), at, op));
                }
                case OBJ -> {
                    List<Value> items = popMark(at, op);
                    if (items.isEmpty()) throw underflow(at, op);
                    push(call(items.get(0), new Value.Tuple(items.subList(1, items.size())), at, op));
                }
                case REDUCE -> {
                    Value args = pop(at, op);
                    Value func = pop(at, op);
                    push(call(func, args, at, op));
                }
                case NEWOBJ -> {
                    Value args = pop(at, op);
                    Value cls = pop(at, op);
                    push(call(cls, args, at, op));
                }
                case NEWOBJ_EX -> {
                    Value kwargs = pop(at, op);
                    Value args = pop(at, op);
                    Value cls = pop(at, op);
                    List<Value> all = new ArrayList<>();
                    if (args instanceof Value.Tuple t) all.addAll(t.items()); else all.add(args);
                    all.add(kwargs);
                    push(call(cls, new Value.Tuple(all), at, op));
                }
                case BUILD -> {
                    Value state = pop(at, op);
                    build(peek(at, op), state, at);
                }
                case PERSID -> {
                    Value pid = new Value.Str(in.strArg, in.strTruncated);
                    sink.persistentId(pid, at);
                    push(new Value.Persistent(pid));
                }
                case BINPERSID -> {
                    Value pid = pop(at, op);
                    sink.persistentId(pid, at);
                    push(new Value.Persistent(pid));
                }
                case EXT1, EXT2, EXT4 -> {
                    if (in.longArg <= 0) throw new PickleFormatException("pickle-bad-argument", at, "EXT code must be positive");
                    sink.structural("pickle-extension-code", Severity.HIGH, at,
                            "global taken from the copyreg extension registry; which callable it is depends on the loading process",
                            op + " " + in.longArg);
                    push(new Value.Opaque("extension code " + in.longArg));
                }
            }
            first = false;
        }
    }

    private Value integer() {
        return in.bigArg != null ? new Value.Big(in.bigArg) : Value.Int.of(in.longArg);
    }

    private Value.Container fill(Value.Container.Kind kind, List<Value> items) {
        Value.Container c = new Value.Container(kind, limits.maxContainerItems());
        for (Value v : items) c.add(v);
        return c;
    }

    private void append(Value target, List<Value> items, long at, String method) {
        if (target instanceof Value.Container c && c.kind == Value.Container.Kind.LIST) {
            for (Value v : items) c.add(v);
        } else {
            implicitCall(target, method, items, at);
        }
    }

    private void setItems(Value target, List<Value> items, long at) {
        if (target instanceof Value.Container c && c.kind == Value.Container.Kind.DICT) {
            for (int i = 0; i + 1 < items.size(); i += 2) c.put(items.get(i), items.get(i + 1));
        } else {
            implicitCall(target, "__setitem__", items, at);
        }
    }

    /**
     * APPEND on something that is not a list calls its {@code append} method (likewise SETITEM and
     * {@code __setitem__}, ADDITEMS and {@code add}): a call the pickle never spells out.
     */
    private void implicitCall(Value target, String method, List<Value> items, long at) {
        if (target instanceof Value.Call c && c.callable instanceof Value.Global g && g.classification().allowed()) {
            // An allowed class (OrderedDict, defaultdict, ...) filled through its own methods: the items are
            // kept (bounded) because hooks and callbacks live in such dicts.
            if (c.filled == null) c.filled = new Value.Container(Value.Container.Kind.LIST, limits.maxContainerItems());
            for (Value v : items) c.filled.add(v);
            return;
        }
        if (target instanceof Value.Container) {
            sink.structural("pickle-type-confusion", Severity.LOW, at,
                    "items added to a container of another kind (the loader fails here)", method);
            return;
        }
        Value.Global owner = ownerOf(target);
        String name = (owner == null ? "<object>" : owner.dotted()) + "." + method;
        // An instance of an unknown class made without __init__ (NEWOBJ: how dict/list subclasses pickle) and filled
        // through its own method is judged like BUILD's __setstate__ on it (MEDIUM, the class itself is reported); a
        // method of a denied or called class, of a class or function object, or of a computed value is HIGH.
        Severity severity = owner != null && owner.classification().allowed() ? Severity.LOW
                : target instanceof Value.Call c && c.callable == owner && owner.classification().kind() == Classification.Kind.UNKNOWN
                        && (c.how == Opcode.NEWOBJ || c.how == Opcode.NEWOBJ_EX) ? Severity.MEDIUM : Severity.HIGH;
        sink.structural("pickle-implicit-call", severity, at,
                "the loader calls " + method + "() on an object built from a non-allow-listed global",
                Render.call(new Value.Opaque(name), new Value.Tuple(items)));
    }

    private static Value.Global ownerOf(Value v) {
        if (v instanceof Value.Global g) return g;
        if (v instanceof Value.Call c && c.callable instanceof Value.Global g) return g;
        return null;
    }

    private void build(Value target, Value state, long at) throws IOException {
        if (target instanceof Value.Global g) {
            // BUILD on a class or function object: writes attributes into a live module (peers.md B05/B06).
            sink.structural("pickle-global-mutation", Severity.HIGH, at,
                    "BUILD writes attributes into a module-level object (monkey-patching during load)",
                    g.dotted() + " <- " + Render.of(state));
            Map<String, Value> attrs = mutated.computeIfAbsent(g.dotted(), k -> new HashMap<>());
            collectAttributes(state, attrs);
            return;
        }
        if (target instanceof Value.Call c) {
            c.state = state;
            if (c.callable instanceof Value.Global g) {
                sink.built(c, g, state, at);
                if (JOBLIB_WRAPPER.equals(policy.canonicalModule(g.module()) + "." + g.name())) {
                    readJoblibArray(c, at);
                } else if (g.name().endsWith("NDArrayWrapper") && state instanceof Value.Container st
                        && st.get("filename") instanceof Value.Str f
                        && (f.value().contains("/") || f.value().contains("\\") || f.value().contains(".."))) {
                    sink.structural("pickle-joblib-side-file-path", Severity.HIGH, at,
                            "legacy joblib array names a side file outside its own folder (read with np.load(allow_pickle=True))",
                            "filename=" + Render.of(f));
                } else if (!g.classification().allowed()) {
                    // __setstate__ of a class that is not allow-listed runs with attacker state.
                    sink.call(new Value.Call(g, new Value.Tuple(List.of(state)), at, Opcode.BUILD));
                }
            }
            return;
        }
        if (target instanceof Value.Persistent || target instanceof Value.Opaque) return;
        sink.structural("pickle-type-confusion", Severity.LOW, at, "BUILD applied to a plain value (the loader fails here)", Render.of(target));
    }

    private static void collectAttributes(Value state, Map<String, Value> attrs) {
        List<Value> dicts = new ArrayList<>(2);
        if (state instanceof Value.Tuple t && t.items().size() == 2) {
            dicts.add(t.items().get(0));
            dicts.add(t.items().get(1));
        } else {
            dicts.add(state);
        }
        for (Value d : dicts) {
            if (d instanceof Value.Container c && c.kind == Value.Container.Kind.DICT) {
                for (int i = 0; i + 1 < c.items.size(); i += 2) {
                    if (c.items.get(i) instanceof Value.Str k) attrs.put(k.value(), c.items.get(i + 1));
                }
            }
        }
    }

    /**
     * joblib writes each array's bytes right after the wrapper's BUILD (NumpyArrayWrapper.read):
     * optional alignment padding, then the raw data, or a nested pickle for object arrays.
     */
    private void readJoblibArray(Value.Call wrapper, long at) throws IOException {
        Value.Container st = wrapper.state instanceof Value.Container c ? c : null;
        if (st == null) {
            throw new PickleFormatException("joblib-bad-wrapper", at, "NumpyArrayWrapper state is not a dict");
        }
        if (in.frameEnd() > in.position()) {
            sink.structural("pickle-frame-mismatch", Severity.HIGH, at,
                    "joblib array data starts inside a pickle frame: joblib reads it from the file, a parser from the frame",
                    "frame ends at " + in.frameEnd());
            throw new PickleFormatException("joblib-array-in-frame", at, "joblib array inside a FRAME; cannot tell where its data ends");
        }
        JoblibArray array = JoblibArray.of(st);
        if (array.error() != null) throw new PickleFormatException("joblib-bad-wrapper", at, array.error());
        if (array.objectDtype()) {
            // Object arrays: joblib calls pickle.load(file) on what follows -- a whole pickle of its own.
            if (nesting >= 8) throw new PickleFormatException("limit-depth", at, "joblib object arrays nested too deeply");
            PickleMachine nested = new PickleMachine(in, sink, policy, limits, classified, nesting + 1);
            nested.run();
            opcodes += nested.opcodes;
            sawGlobal |= nested.sawGlobal;
            return;
        }
        if (array.alignmentBytes() > 0) {
            int padding = in.u1();
            if (padding > array.alignmentBytes()) {
                throw new PickleFormatException("joblib-bad-padding", in.position() - 1,
                        "joblib array padding " + padding + " exceeds alignment " + array.alignmentBytes());
            }
            in.skip(padding);
        }
        in.skip(array.byteCount());
    }

    private static final java.util.regex.Pattern ENUM_MEMBER = java.util.regex.Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final java.util.regex.Pattern ATTRIBUTE = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Value call(Value callable, Value args, long at, Opcode how) {
        if (how == Opcode.REDUCE && callable instanceof Value.Global g && args instanceof Value.Tuple t) {
            Value looked = lookup(g, t.items(), at);
            if (looked != null) return looked;
        }
        Value.Call c = new Value.Call(callable, args, at, how);
        if (!(callable instanceof Value.Global) && how != Opcode.NEWOBJ && how != Opcode.NEWOBJ_EX) {
            Value inner = callable;
            String what = inner instanceof Value.Call ic ? "the result of " + Render.of(ic.callable) + "()"
                    : inner instanceof Value.Opaque ? "a value the loader supplies" : "a computed value";
            if (!(inner instanceof Value.Str || inner instanceof Value.Int || inner instanceof Value.Const
                    || inner instanceof Value.Container || inner instanceof Value.Tuple)) {
                sink.structural("pickle-dynamic-call", Severity.HIGH, at, "calls " + what, Render.call(callable, args));
            }
        }
        sink.call(c);
        return evaluate(c);
    }

    /** {@code g} is {@code builtins.<name>} (also under a Python 2 alias). */
    private boolean isBuiltin(Value.Global g, String name) {
        return g.name().equals(name) && policy.canonicalModule(g.module()).equals("builtins");
    }

    /**
     * Calls that only look a name up, the way CPython pickles things it cannot name directly. Each is
     * reported to the sink as a lookup (not a call) when what it reaches is allow-listed; returns the
     * value to push, or null when {@code g(items)} is an ordinary call:
     * <ul>
     * <li>{@code getattr(AllowedClass, 'MEMBER')}: members of global enums (Python 3.12+); calling the
     *     member stays a dynamic call;</li>
     * <li>{@code getattr(Global, 'attr')}: classmethods such as {@code zoneinfo.ZoneInfo._unpickle},
     *     resolved like the dotted global {@code module.Name.attr}; numpy's
     *     {@code _ufunc_reconstruct('module', 'name')} like {@code module.name}. A result that is not
     *     allow-listed keeps the call (and is followed);</li>
     * <li>{@code type(value)}: NoneType, ellipsis, NotImplementedType; the three-argument form, which
     *     builds a class, stays a call;</li>
     * <li>{@code getattr(instance, 'method')} on an instance of an allow-listed class, not a dunder: a
     *     bound method kept as data (torch 1.x OneCycleLR stores {@code self._annealing_cos}).</li>
     * </ul>
     */
    private Value lookup(Value.Global g, List<Value> items, long at) {
        if (items.size() == 1 && isBuiltin(g, "type")) {
            Value v = items.get(0);
            if (v instanceof Value.Const || v instanceof Value.Int || v instanceof Value.Str || v instanceof Value.Global) {
                sink.lookup(g, "type(" + Render.of(v) + ")", at);
                return new Value.Opaque("a type");
            }
            return null;
        }
        if (items.size() != 2 || !(items.get(1) instanceof Value.Str attr) || attr.truncated()
                || !ATTRIBUTE.matcher(attr.value()).matches()) {
            return null;
        }
        Value first = items.get(0);
        if (isBuiltin(g, "getattr")) {
            if (first instanceof Value.Global owner) {
                if (owner.classification().allowed() && ENUM_MEMBER.matcher(attr.value()).matches()) {
                    sink.lookup(g, owner.dotted() + "." + attr.value(), at);
                    return new Value.Opaque("member " + owner.dotted() + "." + attr.value());
                }
                return resolved(g, items, global(owner.module(), owner.name() + "." + attr.value(), at), at);
            }
            if (first instanceof Value.Call owner && owner.callable instanceof Value.Global cls && cls.classification().allowed()
                    && !attr.value().startsWith("__")) {
                sink.lookup(g, cls.dotted() + "." + attr.value(), at);
                return new Value.Opaque("bound method " + cls.dotted() + "." + attr.value());
            }
            return null;
        }
        // numpy's _ufunc_reconstruct(module, name) is __import__(module) + getattr: an import like GLOBAL's.
        String module = policy.canonicalModule(g.module());
        if (g.name().equals("_ufunc_reconstruct") && (module.equals("numpy.core") || module.equals("numpy._core"))
                && first instanceof Value.Str m && !m.truncated()) {
            return resolved(g, items, global(m.value(), attr.value(), at), at);
        }
        return null;
    }

    /** A name-resolving call that reached {@code target}: a lookup when it is allow-listed, else the call stays. */
    private Value resolved(Value.Global g, List<Value> items, Value.Global target, long at) {
        if (target.classification().allowed()) {
            sink.lookup(g, target.dotted(), at);
        } else {
            sink.call(new Value.Call(g, new Value.Tuple(items), at, Opcode.REDUCE));
        }
        return target;
    }

    /** A few pure allow-listed calls are evaluated, so that their results can be followed. */
    private Value evaluate(Value.Call c) {
        if (!(c.callable instanceof Value.Global g) || !(c.args instanceof Value.Tuple t)) return c;
        String f = policy.canonicalModule(g.module()) + "." + g.name();
        if ((f.equals("_codecs.encode") || f.equals("codecs.encode")) && !t.items().isEmpty()) {
            return encode(t);
        }
        if ((f.equals("builtins.bytes") || f.equals("builtins.bytearray")) && t.items().size() == 1
                && t.items().get(0) instanceof Value.Bytes b) {
            return b;
        }
        if ((f.equals("builtins.bytes") || f.equals("builtins.bytearray")) && t.items().size() >= 2
                && t.items().get(0) instanceof Value.Str) {
            Value r = encode(t);
            return r instanceof Value.Bytes ? r : new Value.Opaque("bytes result");
        }
        if (f.equals("builtins.str") || f.equals("builtins.unicode")) {
            // str(x) feeds computed names to STACK_GLOBAL as easily as codecs do: follow the simple cases.
            if (t.items().size() == 1 && t.items().get(0) instanceof Value.Str s) return s;
            if (t.items().size() == 1 && t.items().get(0) instanceof Value.Int i) return new Value.Str(Long.toString(i.value()), false);
            if (t.items().size() >= 2 && t.items().get(0) instanceof Value.Bytes b && b.data() != null && b.data().length == b.length()
                    && t.items().get(1) instanceof Value.Str e) {
                java.nio.charset.Charset cs = textCharset(e.value());
                if (cs != null) {
                    try {
                        return new Value.Str(cs.newDecoder().decode(java.nio.ByteBuffer.wrap(b.data())).toString(), false);
                    } catch (java.nio.charset.CharacterCodingException ex) {
                        return new Value.Opaque("str decode error");
                    }
                }
            }
            return new Value.Opaque("str result");
        }
        return c;
    }

    /**
     * {@code _codecs.encode(obj, encoding='utf-8')} as CPython's standard codecs compute it: text
     * encodings give bytes, {@code rot_13} gives a str (so it can feed STACK_GLOBAL). Anything else
     * is a value of unknown type: following it as bytes would make a computed import name look like
     * an error instead of a call.
     */
    private static Value encode(Value.Tuple t) {
        Value obj = t.items().get(0);
        Value e = t.items().size() > 1 ? t.items().get(1) : new Value.Str("utf-8", false);
        if (!(obj instanceof Value.Str s) || s.truncated() || !(e instanceof Value.Str es)) return new Value.Opaque("codecs.encode result");
        java.nio.charset.Charset cs = textCharset(es.value());
        if (cs != null) {
            if (!cs.newEncoder().canEncode(s.value())) return new Value.Opaque("codecs.encode error");
            byte[] b = s.value().getBytes(cs);
            return new Value.Bytes(b, b.length, -1);
        }
        String enc = es.value().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.]+", "_");
        if (enc.equals("rot13") || enc.equals("rot_13")) {
            StringBuilder r = new StringBuilder(s.value().length());
            for (char c : s.value().toCharArray()) {
                if (c >= 'a' && c <= 'z') r.append((char) ('a' + (c - 'a' + 13) % 26));
                else if (c >= 'A' && c <= 'Z') r.append((char) ('A' + (c - 'A' + 13) % 26));
                else r.append(c);
            }
            return new Value.Str(r.toString(), false);
        }
        return new Value.Opaque("codecs.encode(..., '" + es.value() + "') result");
    }

    /** Python's latin-1, UTF-8 and ASCII codec names (after encodings.normalize_encoding), else null. */
    private static java.nio.charset.Charset textCharset(String name) {
        String enc = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.]+", "_");
        return switch (enc) {
            case "latin_1", "latin1", "latin", "l1", "iso8859_1", "iso_8859_1", "8859", "cp819", "iso_ir_100", "csisolatin1",
                 "ibm819", "iso_8859_1_1987" -> java.nio.charset.StandardCharsets.ISO_8859_1;
            case "utf_8", "utf8", "u8", "utf", "cp65001" -> java.nio.charset.StandardCharsets.UTF_8;
            case "ascii", "us_ascii", "646", "us", "cp367", "ibm367", "csascii", "iso646_us", "ansi_x3.4_1968" ->
                    java.nio.charset.StandardCharsets.US_ASCII;
            default -> null;
        };
    }

    private Value.Global global(String module, String name, long at) {
        sawGlobal = true;
        Value.Global g = new Value.Global(module, name, at, classify(module, name));
        sink.global(g);
        return g;
    }

    private Value stackGlobal(Value module, Value name, long at) throws PickleFormatException {
        Value m = resolveMutated(module);
        Value n = resolveMutated(name);
        if (m instanceof Value.Str ms && n instanceof Value.Str ns) {
            Value.Global g = global(ms.value(), ns.value(), at);
            return attributeOf(g);
        }
        if (isDefinitelyNotStr(m) || isDefinitelyNotStr(n)) {
            throw new PickleFormatException("pickle-bad-stack-global", at,
                    "STACK_GLOBAL requires str operands, got " + Render.of(module) + " and " + Render.of(name));
        }
        sawGlobal = true;
        sink.structural("pickle-unresolved-global", Severity.HIGH, at,
                "STACK_GLOBAL operands are computed while loading; the imported global cannot be known statically",
                Render.of(module) + " . " + Render.of(name));
        return new Value.Opaque("unresolved global");
    }

    /** GLOBAL numpy "prod.a" after BUILD wrote numpy.prod.a = 'os' yields 'os'. */
    private Value attributeOf(Value.Global g) {
        int dot = g.name().lastIndexOf('.');
        if (dot < 0 || mutated.isEmpty()) return g;
        Map<String, Value> attrs = mutated.get(g.module() + "." + g.name().substring(0, dot));
        Value v = attrs == null ? null : attrs.get(g.name().substring(dot + 1));
        return v == null ? g : v;
    }

    private Value resolveMutated(Value v) {
        if (v instanceof Value.Global g) return attributeOf(g);
        return v;
    }

    private static boolean isDefinitelyNotStr(Value v) {
        return v instanceof Value.Int || v instanceof Value.Big || v instanceof Value.Flt || v instanceof Value.Bytes
                || v instanceof Value.Const || v instanceof Value.Tuple || v instanceof Value.Container;
    }

    private Classification classify(String module, String name) {
        String key = module + '\n' + name;
        Classification c = classified.get(key);
        if (c == null) {
            c = policy.classify(module, name);
            String m2 = module.strip();
            String n2 = name.strip();
            if (!c.denied() && (!m2.equals(module) || !n2.equals(name))) {
                Classification stripped = policy.classify(m2, n2);
                if (stripped.denied()) c = stripped;
            }
            if (classified.size() < 100_000) classified.put(key, c);
        }
        return c;
    }

    private void memoPut(long index, Value v, long at) throws LimitExceededException {
        if (!memo.put(index, v)) {
            throw new LimitExceededException("limit-pickle-memo", "more than " + limits.maxMemoEntries() + " memo entries (at offset " + at + ")");
        }
    }

    private int markBase() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private void push(Value v) throws LimitExceededException {
        stack.add(v);
        if (stack.size() + markCount > limits.maxStackDepth()) checkDepth(in.offset);
    }

    private void checkDepth(long at) throws LimitExceededException {
        if (stack.size() + markCount > limits.maxStackDepth()) {
            throw new LimitExceededException("limit-pickle-stack", "pickle stack deeper than " + limits.maxStackDepth() + " (at offset " + at + ")");
        }
    }

    private Value pop(long at, Opcode op) throws PickleFormatException {
        if (stack.size() <= markBase()) {
            if (lenient && markCount == 0) return new Value.Opaque("value from before this view");
            throw underflow(at, op);
        }
        return stack.remove(stack.size() - 1);
    }

    private Value peek(long at, Opcode op) throws PickleFormatException {
        if (stack.size() <= markBase()) {
            if (lenient && markCount == 0) {
                stack.add(new Value.Opaque("value from before this view"));
                return stack.get(stack.size() - 1);
            }
            throw underflow(at, op);
        }
        return stack.get(stack.size() - 1);
    }

    private List<Value> popMark(long at, Opcode op) throws PickleFormatException {
        if (markCount == 0) {
            if (lenient) {
                List<Value> all = new ArrayList<>(stack);
                stack.clear();
                return all;
            }
            throw new PickleFormatException("pickle-stack-underflow", at, op + " without a MARK (could not find MARK)");
        }
        int base = marks[--markCount];
        List<Value> items = new ArrayList<>(stack.subList(base, stack.size()));
        for (int i = stack.size() - 1; i >= base; i--) stack.remove(i);
        return items;
    }

    private static PickleFormatException underflow(long at, Opcode op) {
        return new PickleFormatException("pickle-stack-underflow", at, op + " on an empty stack (unpickling stack underflow)");
    }
}
