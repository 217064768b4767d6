package dev.modelvet.format.pickle;

import java.util.List;

/** Python-like rendering of symbolic values for evidence: {@code os.system('echo hi')}. */
final class Render {
    private static final int MAX_DEPTH = 4;
    private static final int MAX_STRING = 120;
    private static final int MAX_ITEMS = 6;

    private Render() {
    }

    static String of(Value v) {
        StringBuilder sb = new StringBuilder();
        append(sb, v, 0);
        return sb.length() > 400 ? sb.substring(0, 400) + "..." : sb.toString();
    }

    /** {@code callable(args)} as the call would be written in Python. */
    static String call(Value callable, Value args) {
        StringBuilder sb = new StringBuilder();
        append(sb, callable, 0);
        appendArgs(sb, args, 0);
        return sb.length() > 400 ? sb.substring(0, 400) + "..." : sb.toString();
    }

    private static void appendArgs(StringBuilder sb, Value args, int depth) {
        sb.append('(');
        if (args instanceof Value.Tuple t) {
            items(sb, t.items(), depth + 1, t.items().size());
        } else if (args != null) {
            sb.append('*');
            append(sb, args, depth + 1);
        }
        sb.append(')');
    }

    private static void items(StringBuilder sb, List<Value> items, int depth, long total) {
        for (int i = 0; i < items.size() && i < MAX_ITEMS; i++) {
            if (i > 0) sb.append(", ");
            append(sb, items.get(i), depth);
        }
        if (total > Math.min(items.size(), MAX_ITEMS)) sb.append(", ...");
    }

    static void append(StringBuilder sb, Value v, int depth) {
        if (depth > MAX_DEPTH) {
            sb.append("...");
            return;
        }
        if (v == null) {
            sb.append('?');
        } else if (v instanceof Value.Const c) {
            sb.append(c == Value.Const.NONE ? "None" : c == Value.Const.TRUE ? "True" : "False");
        } else if (v instanceof Value.Int i) {
            sb.append(i.value());
        } else if (v instanceof Value.Big b) {
            sb.append(b.value().bitLength() > 256 ? "<big int>" : b.value().toString());
        } else if (v instanceof Value.Flt f) {
            sb.append(f.value());
        } else if (v instanceof Value.Str s) {
            sb.append(PyStrings.repr(s.value(), MAX_STRING));
        } else if (v instanceof Value.Bytes b) {
            sb.append(PyStrings.bytesRepr(b.data(), b.length(), MAX_STRING));
        } else if (v instanceof Value.Tuple t) {
            sb.append('(');
            items(sb, t.items(), depth + 1, t.items().size());
            if (t.items().size() == 1) sb.append(',');
            sb.append(')');
        } else if (v instanceof Value.Container c) {
            container(sb, c, depth);
        } else if (v instanceof Value.Global g) {
            sb.append(g.dotted());
        } else if (v instanceof Value.Call c) {
            append(sb, c.callable, depth + 1);
            appendArgs(sb, c.args, depth);
        } else if (v instanceof Value.Persistent p) {
            sb.append("persistent_load(");
            append(sb, p.pid(), depth + 1);
            sb.append(')');
        } else if (v instanceof Value.Opaque o) {
            sb.append('<').append(o.what()).append('>');
        }
    }

    private static void container(StringBuilder sb, Value.Container c, int depth) {
        String open = switch (c.kind) { case LIST -> "["; case DICT, SET -> "{"; case FROZENSET -> "frozenset({"; };
        String close = switch (c.kind) { case LIST -> "]"; case DICT, SET -> "}"; case FROZENSET -> "})"; };
        sb.append(open);
        if (c.kind == Value.Container.Kind.DICT) {
            for (int i = 0; i + 1 < c.items.size() && i < MAX_ITEMS * 2; i += 2) {
                if (i > 0) sb.append(", ");
                append(sb, c.items.get(i), depth + 1);
                sb.append(": ");
                append(sb, c.items.get(i + 1), depth + 1);
            }
            if (c.count > Math.min(c.items.size() / 2, MAX_ITEMS)) sb.append(", ...");
        } else {
            items(sb, c.items, depth + 1, c.count);
        }
        sb.append(close);
    }
}
