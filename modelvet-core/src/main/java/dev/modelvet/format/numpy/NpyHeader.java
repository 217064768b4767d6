package dev.modelvet.format.numpy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header dict of a .npy file, parsed as the Python literal numpy writes
 * ({@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}), without evaluating anything.
 * Values are String, Boolean, Long, List (tuples and lists) or Map.
 */
final class NpyHeader {
    private final String s;
    private int i;
    private int depth;

    private NpyHeader(String s) {
        this.s = s;
    }

    static Map<String, Object> parse(String text) {
        NpyHeader p = new NpyHeader(text);
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != p.s.length()) throw new IllegalArgumentException("unexpected text after the header dict at " + p.i);
        if (!(v instanceof Map<?, ?> m)) throw new IllegalArgumentException("header is not a dict");
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) m;
        return map;
    }

    private Object value() {
        if (++depth > 32) throw new IllegalArgumentException("header nested too deeply");
        try {
            ws();
            if (i >= s.length()) throw new IllegalArgumentException("header ends early");
            char c = s.charAt(i);
            if (c == '{') return dict();
            if (c == '(' || c == '[') return seq(c == '(' ? ')' : ']');
            if (c == '\'' || c == '"') return string();
            if (s.startsWith("True", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("False", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("None", i)) { i += 4; return null; }
            return number();
        } finally {
            depth--;
        }
    }

    private Map<String, Object> dict() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        while (true) {
            ws();
            if (peek() == '}') { i++; return m; }
            Object k = value();
            if (!(k instanceof String key)) throw new IllegalArgumentException("header dict key is not a string");
            ws();
            expect(':');
            Object v = value();
            if (m.containsKey(key)) throw new IllegalArgumentException("duplicate header key '" + key + "'");
            m.put(key, v);
            ws();
            if (peek() == ',') i++;
            else if (peek() != '}') throw new IllegalArgumentException("expected ',' or '}' in header at " + i);
        }
    }

    private List<Object> seq(char close) {
        List<Object> l = new ArrayList<>();
        i++;
        while (true) {
            ws();
            if (peek() == close) { i++; return l; }
            l.add(value());
            ws();
            if (peek() == ',') i++;
            else if (peek() != close) throw new IllegalArgumentException("expected ',' in header sequence at " + i);
        }
    }

    private String string() {
        char q = s.charAt(i++);
        StringBuilder sb = new StringBuilder();
        while (i < s.length() && s.charAt(i) != q) {
            char c = s.charAt(i++);
            if (c == '\\' && i < s.length()) c = s.charAt(i++);
            sb.append(c);
        }
        if (i >= s.length()) throw new IllegalArgumentException("unterminated string in header");
        i++;
        return sb.toString();
    }

    private Long number() {
        int start = i;
        if (peek() == '-' || peek() == '+') i++;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        if (i < s.length() && s.charAt(i) == 'L') i++;
        String t = s.substring(start, i).replace("L", "");
        if (t.isEmpty() || t.equals("-") || t.equals("+") || t.length() > 19) {
            throw new IllegalArgumentException("unexpected value in header at " + start);
        }
        return Long.parseLong(t);
    }

    private char peek() {
        if (i >= s.length()) throw new IllegalArgumentException("header ends early");
        return s.charAt(i);
    }

    private void expect(char c) {
        if (peek() != c) throw new IllegalArgumentException("expected '" + c + "' in header at " + i);
        i++;
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }
}
