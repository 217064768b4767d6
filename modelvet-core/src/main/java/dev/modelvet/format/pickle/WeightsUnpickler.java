package dev.modelvet.format.pickle;

import dev.modelvet.scan.ByteSource;
import dev.modelvet.scan.LimitExceededException;
import dev.modelvet.scan.Limits;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted unpickler that accepts exactly what {@code torch.load(weights_only=True)} accepts: the
 * same opcode subset and the same allow-list of globals, evaluated in Java (nothing Python runs).
 * Anything else is refused with an error naming the opcode or the global. The result is plain Java
 * values: {@link Map} (dict, OrderedDict), {@link List} (list), {@link Tuple}, String, Long/BigInteger,
 * Double, Boolean, {@link #NONE}, byte[], and {@link Tensor}s that point into {@link Storage}s.
 */
public final class WeightsUnpickler {
    /** Python's None. */
    public static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** Opcodes torch/_weights_only_unpickler.py handles. */
    private static final Set<Opcode> OPCODES = Set.of(Opcode.GLOBAL, Opcode.NEWOBJ, Opcode.REDUCE, Opcode.BUILD,
            Opcode.APPEND, Opcode.APPENDS, Opcode.SETITEM, Opcode.SETITEMS, Opcode.MARK, Opcode.TUPLE, Opcode.TUPLE1,
            Opcode.TUPLE2, Opcode.TUPLE3, Opcode.NONE, Opcode.NEWFALSE, Opcode.NEWTRUE, Opcode.EMPTY_TUPLE,
            Opcode.EMPTY_LIST, Opcode.EMPTY_DICT, Opcode.EMPTY_SET, Opcode.BININT, Opcode.BININT1, Opcode.BININT2,
            Opcode.BINFLOAT, Opcode.BINUNICODE, Opcode.SHORT_BINSTRING, Opcode.BINPERSID, Opcode.BINGET,
            Opcode.LONG_BINGET, Opcode.BINPUT, Opcode.LONG_BINPUT, Opcode.LONG1, Opcode.PROTO, Opcode.STOP);

    private static final Set<String> REBUILD_TENSOR = Set.of("torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor_v3");
    private static final Set<String> OTHER_ALLOWED = Set.of("collections.OrderedDict", "collections.Counter",
            "torch.nn.parameter.Parameter", "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "torch._tensor._rebuild_from_type_v2", "torch.Size", "torch.device", "_codecs.encode", "builtins.bytearray",
            "builtins.set", "builtins.complex", "torch.serialization._get_layout", "torch.storage.UntypedStorage",
            "torch.storage.TypedStorage", "torch.Tensor");
    private static final Set<String> UNSUPPORTED_TENSORS = Set.of("torch._utils._rebuild_qtensor",
            "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_meta_tensor_no_storage",
            "torch._utils._rebuild_wrapper_subclass", "torch._utils._rebuild_device_tensor_from_numpy",
            "torch._utils._rebuild_device_tensor_from_cpu_tensor", "torch._utils._rebuild_nested_tensor");

    /** A refusal: the pickle holds something {@code weights_only=True} does not accept. */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    public record Tuple(List<Object> items) { }

    /** A storage named by a persistent id: {@code ('storage', <type>, key, location, numel[, view])}. */
    public record Storage(String key, TorchDtype dtype, long numel, String location) { }

    /** A tensor view of a storage; offset, sizes and strides in elements. */
    public record Tensor(Storage storage, long offset, long[] size, long[] stride, TorchDtype dtype) {
        public long numel() {
            long n = 1;
            for (long s : size) n = Math.multiplyExact(n, s);
            return n;
        }

        @Override
        public String toString() {
            return "Tensor(" + dtype + ", " + Arrays.toString(size) + ")";
        }
    }

    /** Result of one pickle: the value and where the stream ended. */
    public record Loaded(Object value, long end) { }

    private record Global(String dotted, TorchDtype dtype) { }

    private record ObjectOf(Global cls) { }

    private final PickleReader in;
    private final Limits limits;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private WeightsUnpickler(PickleReader in, Limits limits) {
        this.in = in;
        this.limits = limits;
    }

    /** Loads one pickle starting at {@code start}. */
    public static Loaded load(ByteSource source, long start, Limits limits) throws IOException {
        PickleReader r = new PickleReader(source, start, Integer.MAX_VALUE / 4, 1 << 20);
        WeightsUnpickler u = new WeightsUnpickler(r, limits);
        Object v = u.run();
        return new Loaded(v, r.position());
    }

    private Object run() throws IOException {
        long ops = 0;
        while (true) {
            Opcode op = in.next();
            if (++ops > limits.maxPickleOpcodes()) {
                throw new LimitExceededException("limit-pickle-opcodes", "more than " + limits.maxPickleOpcodes() + " opcodes");
            }
            if (!OPCODES.contains(op)) {
                throw new Refused("opcode " + op + " at offset " + in.offset + " is not accepted by torch.load(weights_only=True)");
            }
            switch (op) {
                case PROTO -> { }
                case STOP -> {
                    return pop();
                }
                case NONE -> push(NONE);
                case NEWTRUE -> push(Boolean.TRUE);
                case NEWFALSE -> push(Boolean.FALSE);
                case BININT, BININT1, BININT2, LONG1 -> push(in.bigArg != null ? in.bigArg : (Object) in.longArg);
                case BINFLOAT -> push(in.doubleArg);
                case BINUNICODE, SHORT_BINSTRING -> push(in.strArg);
                case EMPTY_TUPLE -> push(new Tuple(List.of()));
                case EMPTY_LIST -> push(new ArrayList<>());
                case EMPTY_DICT -> push(new LinkedHashMap<>());
                case EMPTY_SET -> push(new java.util.LinkedHashSet<>());
                case TUPLE -> push(new Tuple(popMark()));
                case TUPLE1 -> push(new Tuple(List.of(pop())));
                case TUPLE2 -> {
                    Object b = pop();
                    push(new Tuple(Arrays.asList(pop(), b)));
                }
                case TUPLE3 -> {
                    Object c = pop();
                    Object b = pop();
                    push(new Tuple(Arrays.asList(pop(), b, c)));
                }
                case MARK -> marks.add(stack.size());
                case APPEND -> list(peekBelow(0, 1)).add(pop());
                case APPENDS -> {
                    List<Object> items = popMark();
                    list(peekBelow(0, 0)).addAll(items);
                }
                case SETITEM -> {
                    Object v = pop();
                    Object k = pop();
                    dict(peekBelow(0, 0)).put(key(k), v);
                }
                case SETITEMS -> {
                    List<Object> items = popMark();
                    Map<Object, Object> d = dict(peekBelow(0, 0));
                    for (int i = 0; i + 1 < items.size(); i += 2) d.put(key(items.get(i)), items.get(i + 1));
                }
                case BINGET, LONG_BINGET -> {
                    Object v = memo.get(in.longArg);
                    if (v == null) throw new Refused("memo value not found at index " + in.longArg);
                    push(v);
                }
                case BINPUT, LONG_BINPUT -> {
                    if (memo.size() >= limits.maxMemoEntries()) throw new LimitExceededException("limit-pickle-memo", "memo too large");
                    memo.put(in.longArg, peek());
                }
                case GLOBAL -> push(global(in.strArg, in.strArg2));
                case REDUCE -> {
                    Object args = pop();
                    Object f = pop();
                    push(reduce(f, args));
                }
                case NEWOBJ -> {
                    pop();
                    Object cls = pop();
                    if (!(cls instanceof Global g)) throw new Refused("NEWOBJ on something that is not an allowed class");
                    push(new ObjectOf(g));
                }
                case BUILD -> {
                    pop();
                    Object target = peek();
                    if (!(target instanceof Map || target instanceof Tensor || target instanceof ObjectOf)) {
                        throw new Refused("BUILD on " + describe(target) + " is not accepted");
                    }
                }
                case BINPERSID -> push(storage(pop()));
                default -> throw new Refused("opcode " + op + " is not handled");
            }
        }
    }

    private Global global(String module, String name) throws Refused {
        String dotted = module + "." + name;
        TorchDtype dtype = TorchDtype.forTorchName(dotted);
        if (dtype != null || REBUILD_TENSOR.contains(dotted) || OTHER_ALLOWED.contains(dotted)) return new Global(dotted, dtype);
        if (UNSUPPORTED_TENSORS.contains(dotted)) {
            throw new Refused("tensor kind " + dotted + " cannot be stored in safetensors");
        }
        throw new Refused("global " + dotted + " is not allowed by torch.load(weights_only=True)");
    }

    private Object reduce(Object f, Object args) throws IOException {
        if (!(f instanceof Global g)) throw new Refused("REDUCE of " + describe(f) + " is not accepted");
        List<Object> a = args instanceof Tuple t ? t.items() : List.of();
        switch (g.dotted()) {
            case "collections.OrderedDict", "collections.Counter" -> {
                return new LinkedHashMap<>();
            }
            case "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2" -> {
                return tensor(a, null);
            }
            case "torch._utils._rebuild_tensor_v3" -> {
                TorchDtype dt = a.size() > 6 && a.get(6) instanceof Global dg ? dg.dtype() : null;
                if (dt == null) throw new Refused("_rebuild_tensor_v3 without a known dtype");
                return tensor(a, dt);
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (a.isEmpty()) throw new Refused("_rebuild_parameter without data");
                return a.get(0);
            }
            case "torch._tensor._rebuild_from_type_v2" -> {
                if (a.size() < 3 || !(a.get(0) instanceof Global inner)) throw new Refused("_rebuild_from_type_v2 with unexpected arguments");
                return reduce(inner, a.get(2));
            }
            case "torch.Size" -> {
                return a.isEmpty() ? new Tuple(List.of()) : a.get(0);
            }
            case "torch.device" -> {
                return a.isEmpty() ? "cpu" : String.valueOf(a.get(0));
            }
            case "_codecs.encode" -> {
                if (a.isEmpty() || !(a.get(0) instanceof String s)) throw new Refused("_codecs.encode of a non-string");
                return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            case "builtins.set", "builtins.bytearray", "builtins.complex", "torch.serialization._get_layout" -> {
                return new Tuple(a);
            }
            default -> throw new Refused("calling " + g.dotted() + " is not accepted");
        }
    }

    private Tensor tensor(List<Object> a, TorchDtype forced) throws Refused {
        if (a.size() < 4 || !(a.get(0) instanceof Storage s)) throw new Refused("tensor rebuilt without a storage");
        long offset = asLong(a.get(1), "storage offset");
        long[] size = longs(a.get(2), "size");
        long[] stride = longs(a.get(3), "stride");
        if (size.length != stride.length) throw new Refused("tensor size and stride differ in length");
        TorchDtype dtype = forced != null ? forced : s.dtype();
        if (dtype == null) throw new Refused("tensor of storage '" + s.key() + "' has no supported dtype");
        return new Tensor(s, offset, size, stride, dtype);
    }

    private Storage storage(Object pid) throws Refused {
        if (!(pid instanceof Tuple t) || t.items().size() < 5 || !"storage".equals(t.items().get(0))) {
            throw new Refused("persistent id " + describe(pid) + " is not a torch storage");
        }
        List<Object> p = t.items();
        TorchDtype dtype = p.get(1) instanceof Global g ? g.dtype() : null;
        if (!(p.get(1) instanceof Global)) throw new Refused("storage type is not a global");
        String key = String.valueOf(p.get(2));
        return new Storage(key, dtype, asLong(p.get(4), "storage size"), String.valueOf(p.get(3)));
    }

    private static long asLong(Object o, String what) throws Refused {
        if (o instanceof Long l) return l;
        throw new Refused(what + " is not an integer: " + describe(o));
    }

    private static long[] longs(Object o, String what) throws Refused {
        if (!(o instanceof Tuple t)) throw new Refused(what + " is not a tuple");
        long[] r = new long[t.items().size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = asLong(t.items().get(i), what);
            if (r[i] < 0) throw new Refused(what + " has a negative entry");
        }
        return r;
    }

    private static Object key(Object k) {
        return k instanceof BigInteger b ? b.toString() : k;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) throws Refused {
        if (o instanceof List<?> l && !(o instanceof Tuple)) return (List<Object>) l;
        throw new Refused("APPEND target is " + describe(o) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object o) throws Refused {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        throw new Refused("SETITEM target is " + describe(o) + ", not a dict");
    }

    private static String describe(Object o) {
        if (o instanceof Global g) return g.dotted();
        if (o instanceof ObjectOf x) return "an instance of " + x.cls().dotted();
        return o == null ? "nothing" : o.getClass().getSimpleName();
    }

    private void push(Object o) throws LimitExceededException {
        stack.add(o);
        if (stack.size() > limits.maxStackDepth()) throw new LimitExceededException("limit-pickle-stack", "stack too deep");
    }

    private Object pop() throws Refused {
        int base = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= base) throw new Refused("stack underflow at offset " + in.offset);
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws Refused {
        return peekBelow(0, 0);
    }

    /** The value {@code depth} below the top, checking that {@code reserve} values above it exist too. */
    private Object peekBelow(int depth, int reserve) throws Refused {
        int i = stack.size() - 1 - depth - reserve;
        int base = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (i < base) throw new Refused("stack underflow at offset " + in.offset);
        return stack.get(i);
    }

    private List<Object> popMark() throws Refused {
        if (marks.isEmpty()) throw new Refused("MARK missing at offset " + in.offset);
        int base = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(base, stack.size()));
        stack.subList(base, stack.size()).clear();
        return items;
    }
}
