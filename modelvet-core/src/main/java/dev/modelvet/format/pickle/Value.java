package dev.modelvet.format.pickle;

import dev.modelvet.policy.Classification;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * What the symbolic machine knows of a value on the pickle stack. Containers keep a bounded number
 * of items (enough for evidence and for joblib's array metadata), never the whole content.
 */
sealed interface Value {

    /** None, True, False. */
    enum Const implements Value { NONE, TRUE, FALSE }

    record Int(long value) implements Value {
        private static final Int[] SMALL = new Int[1024];

        static {
            for (int i = 0; i < SMALL.length; i++) SMALL[i] = new Int(i - 256);
        }

        static Int of(long v) {
            return v >= -256 && v < 768 ? SMALL[(int) v + 256] : new Int(v);
        }
    }

    record Big(BigInteger value) implements Value { }

    record Flt(double value) implements Value { }

    /** A str; {@code truncated} when only a prefix was kept. */
    record Str(String value, boolean truncated) implements Value { }

    /**
     * Bytes: kept in {@code data} when small enough, and/or located in the artifact at
     * {@code sourceOffset} (-1 when computed, e.g. by {@code _codecs.encode}).
     */
    record Bytes(byte[] data, long length, long sourceOffset) implements Value { }

    record Tuple(List<Value> items) implements Value { }

    /** list, dict, set or frozenset: mutable as the pickle fills it, bounded. */
    final class Container implements Value {
        enum Kind { LIST, DICT, SET, FROZENSET }

        private static final List<Value> NONE_YET = List.of();

        final Kind kind;
        /** Kept items (for a dict: key, value, key, value ...); allocated on first use to keep empty containers small. */
        List<Value> items = NONE_YET;
        long count;
        private final int cap;

        Container(Kind kind, int cap) {
            this.kind = kind;
            this.cap = cap;
        }

        /**
         * Values that could be called (a global off the allow-list, an object of such a class, a
         * computed value), kept even past {@code cap}: benign items first must not hide a hook.
         */
        List<Value> callables = NONE_YET;

        /** Adds one item (for a dict: key then value). */
        void add(Value v) {
            count++;
            if (items.size() < cap) writable().add(v);
            else noteCallable(v);
        }

        void put(Value k, Value v) {
            count++;
            if (items.size() + 1 < cap) {
                writable().add(k);
                writable().add(v);
            } else {
                noteCallable(v);
            }
        }

        private void noteCallable(Value v) {
            if (callables.size() >= cap || !Value.mayBeCallable(v)) return;
            for (Value c : callables) if (c == v) return;
            if (callables == NONE_YET) callables = new ArrayList<>(2);
            callables.add(v);
        }

        private List<Value> writable() {
            if (items == NONE_YET) items = new ArrayList<>(4);
            return items;
        }

        /** The value for a string key of a dict, or null. */
        Value get(String key) {
            if (kind != Kind.DICT) return null;
            for (int i = 0; i + 1 < items.size(); i += 2) {
                if (items.get(i) instanceof Str s && s.value().equals(key)) return items.get(i + 1);
            }
            return null;
        }

        boolean truncated() {
            return kind == Kind.DICT ? count * 2 > items.size() : count > items.size();
        }
    }

    /** A global resolved by GLOBAL, STACK_GLOBAL or INST; {@code offset} of the opcode. */
    record Global(String module, String name, long offset, Classification classification) implements Value {
        String dotted() {
            return module + "." + name;
        }
    }

    /**
     * The result of calling or instantiating {@code callable} (REDUCE, INST, OBJ, NEWOBJ, NEWOBJ_EX),
     * and the state later applied by BUILD.
     */
    final class Call implements Value {
        final Value callable;
        final Value args;
        final long offset;
        final Opcode how;
        Value state;
        /** Items the pickle added through the object's own methods (SETITEMS on an OrderedDict, APPENDS), or null. */
        Container filled;

        Call(Value callable, Value args, long offset, Opcode how) {
            this.callable = callable;
            this.args = args;
            this.offset = offset;
            this.how = how;
        }
    }

    /** Not plain data: a global off the allow-list, an object made from one, or the result of a computed call. */
    static boolean mayBeCallable(Value v) {
        if (v instanceof Global g) return !g.classification().allowed();
        if (v instanceof Call c) return !(c.callable instanceof Global g) || !g.classification().allowed();
        return false;
    }

    /** What persistent_load returns for a persistent id (PERSID, BINPERSID). */
    record Persistent(Value pid) implements Value { }

    /** A value the machine cannot know (an EXT code, a protocol-5 buffer, a memo miss). */
    record Opaque(String what) implements Value { }
}
