package dev.modelvet.format.javaser;

import dev.modelvet.scan.ByteSource;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser of the Java Object Serialization Stream Protocol (spec chapter 6) that instantiates
 * nothing: it walks class descriptors, field values, block data and annotations, and records every
 * class named in the stream. Field values are decoded with the stream's own descriptors, walking the
 * superclass chain, so classes nested anywhere are found.
 */
final class JavaStreamParser {
    static final int TC_NULL = 0x70, TC_REFERENCE = 0x71, TC_CLASSDESC = 0x72, TC_OBJECT = 0x73, TC_STRING = 0x74,
            TC_ARRAY = 0x75, TC_CLASS = 0x76, TC_BLOCKDATA = 0x77, TC_ENDBLOCKDATA = 0x78, TC_RESET = 0x79,
            TC_BLOCKDATALONG = 0x7A, TC_EXCEPTION = 0x7B, TC_LONGSTRING = 0x7C, TC_PROXYCLASSDESC = 0x7D, TC_ENUM = 0x7E;
    static final int SC_WRITE_METHOD = 0x01, SC_SERIALIZABLE = 0x02, SC_EXTERNALIZABLE = 0x04, SC_BLOCK_DATA = 0x08;
    private static final int MAX_DEPTH = 256;
    private static final int MAX_HANDLES = 1_000_000;

    /** A class named in the stream, where it first appears. */
    record NamedClass(String name, long offset, boolean proxyInterface) { }

    static final class StreamException extends IOException {
        final long offset;

        StreamException(long offset, String message) {
            super(message);
            this.offset = offset;
        }
    }

    private record Field(char type, String name, String className) { }

    private static final class ClassDesc {
        final String name;
        int flags;
        List<Field> fields = List.of();
        ClassDesc superDesc;

        ClassDesc(String name) {
            this.name = name;
        }
    }

    private final ByteSource src;
    private long pos;
    private final long end;
    private final List<Object> handles = new ArrayList<>();
    final Map<String, NamedClass> classes = new LinkedHashMap<>();
    private int depth;
    private long retained;
    long objects;

    JavaStreamParser(ByteSource src, long start) {
        this.src = src;
        this.pos = start;
        this.end = src.size();
    }

    long position() {
        return pos;
    }

    /** Parses the magic, version and all contents to the end. */
    void parse() throws IOException {
        if (u2() != 0xACED) throw new StreamException(0, "not a Java serialization stream (magic)");
        int version = u2();
        if (version != 5) throw new StreamException(2, "unsupported stream version " + version);
        while (pos < end) content();
    }

    private void content() throws IOException {
        int tc = peek();
        if (tc == TC_BLOCKDATA || tc == TC_BLOCKDATALONG) {
            blockData();
        } else {
            object();
        }
    }

    private Object object() throws IOException {
        if (++depth > MAX_DEPTH) throw new StreamException(pos, "objects nested deeper than " + MAX_DEPTH);
        try {
            long at = pos;
            int tc = u1();
            switch (tc) {
                case TC_NULL:
                    return null;
                case TC_REFERENCE:
                    return reference();
                case TC_CLASSDESC:
                case TC_PROXYCLASSDESC:
                    pos--;
                    return classDesc();
                case TC_OBJECT: {
                    ClassDesc desc = classDesc();
                    handle(Marker.OBJECT);
                    objects++;
                    classData(desc);
                    return Marker.OBJECT;
                }
                case TC_STRING: {
                    String s = utf(u2());
                    handle(s);
                    return s;
                }
                case TC_LONGSTRING: {
                    long n = i8();
                    if (n < 0 || n > end - pos) throw new StreamException(at, "long string length " + n + " exceeds the stream");
                    String s = utf((int) Math.min(n, Integer.MAX_VALUE));
                    handle(s);
                    return s;
                }
                case TC_ARRAY: {
                    ClassDesc desc = classDesc();
                    handle(Marker.ARRAY);
                    int size = i4();
                    if (size < 0) throw new StreamException(at, "negative array size");
                    array(desc, size, at);
                    return Marker.ARRAY;
                }
                case TC_ENUM: {
                    classDesc();
                    handle(Marker.ENUM);
                    object();
                    return Marker.ENUM;
                }
                case TC_CLASS: {
                    classDesc();
                    handle(Marker.CLASS);
                    return Marker.CLASS;
                }
                case TC_RESET:
                    handles.clear();
                    return null;
                case TC_EXCEPTION:
                    handles.clear();
                    object();
                    handles.clear();
                    return Marker.OBJECT;
                case TC_ENDBLOCKDATA:
                    throw new StreamException(at, "unexpected TC_ENDBLOCKDATA");
                default:
                    throw new StreamException(at, String.format("invalid type code 0x%02x", tc));
            }
        } finally {
            depth--;
        }
    }

    private enum Marker { OBJECT, ARRAY, ENUM, CLASS }

    private Object reference() throws IOException {
        long at = pos - 1;
        int h = i4() - 0x7E0000;
        if (h < 0 || h >= handles.size()) throw new StreamException(at, "reference to unknown handle 0x" + Integer.toHexString(h + 0x7E0000));
        return handles.get(h);
    }

    private ClassDesc classDesc() throws IOException {
        long at = pos;
        int tc = u1();
        switch (tc) {
            case TC_NULL:
                return null;
            case TC_REFERENCE: {
                Object o = reference();
                if (o != null && !(o instanceof ClassDesc)) throw new StreamException(at, "reference is not a class descriptor");
                return (ClassDesc) o;
            }
            case TC_CLASSDESC: {
                String name = utf(u2());
                i8(); // serialVersionUID
                ClassDesc d = new ClassDesc(name);
                handle(d);
                note(name, at, false);
                d.flags = u1();
                int count = u2();
                List<Field> fields = new ArrayList<>(Math.min(count, 256));
                for (int i = 0; i < count; i++) {
                    char type = (char) u1();
                    String fname = utf(u2());
                    String cls = null;
                    if (type == '[' || type == 'L') {
                        Object o = object();
                        if (!(o instanceof String s)) throw new StreamException(pos, "field class name is not a string");
                        cls = s;
                    } else if ("BCDFIJSZ".indexOf(type) < 0) {
                        throw new StreamException(pos, "invalid field type code '" + type + "'");
                    }
                    fields.add(new Field(type, fname, cls));
                }
                d.fields = fields;
                annotation();
                d.superDesc = classDesc();
                return d;
            }
            case TC_PROXYCLASSDESC: {
                ClassDesc d = new ClassDesc("java.lang.reflect.Proxy");
                handle(d);
                note("java.lang.reflect.Proxy", at, false);
                int count = i4();
                if (count < 0 || count > 65535) throw new StreamException(at, "implausible proxy interface count " + count);
                for (int i = 0; i < count; i++) note(utf(u2()), at, true);
                d.flags = SC_SERIALIZABLE;
                annotation();
                d.superDesc = classDesc();
                return d;
            }
            default:
                throw new StreamException(at, String.format("expected a class descriptor, got 0x%02x", tc));
        }
    }

    private void classData(ClassDesc desc) throws IOException {
        List<ClassDesc> chain = new ArrayList<>();
        for (ClassDesc d = desc; d != null; d = d.superDesc) {
            chain.add(0, d);
            if (chain.size() > MAX_DEPTH) throw new StreamException(pos, "class hierarchy too deep (cycle?)");
        }
        for (ClassDesc d : chain) {
            if ((d.flags & SC_EXTERNALIZABLE) != 0) {
                if ((d.flags & SC_BLOCK_DATA) == 0) {
                    throw new StreamException(pos, "protocol-1 externalizable data of " + d.name + " cannot be parsed without the class");
                }
                annotation();
            } else if ((d.flags & SC_SERIALIZABLE) != 0) {
                for (Field f : d.fields) value(f.type());
                if ((d.flags & SC_WRITE_METHOD) != 0) annotation();
            }
        }
    }

    private void array(ClassDesc desc, int size, long at) throws IOException {
        String name = desc == null ? "" : desc.name;
        char elem = name.length() >= 2 && name.charAt(0) == '[' ? name.charAt(1) : 'L';
        int width = switch (elem) {
            case 'B', 'Z' -> 1;
            case 'C', 'S' -> 2;
            case 'I', 'F' -> 4;
            case 'J', 'D' -> 8;
            default -> 0;
        };
        if (width > 0) {
            skip((long) size * width, at);
        } else {
            if (size > end - pos) throw new StreamException(at, "array of " + size + " objects exceeds the stream");
            for (int i = 0; i < size; i++) object();
        }
    }

    private void value(char type) throws IOException {
        switch (type) {
            case 'B', 'Z' -> skip(1, pos);
            case 'C', 'S' -> skip(2, pos);
            case 'I', 'F' -> skip(4, pos);
            case 'J', 'D' -> skip(8, pos);
            default -> object();
        }
    }

    private void annotation() throws IOException {
        while (true) {
            int tc = peek();
            if (tc == TC_ENDBLOCKDATA) {
                pos++;
                return;
            }
            content();
        }
    }

    private void blockData() throws IOException {
        long at = pos;
        int tc = u1();
        long n = tc == TC_BLOCKDATA ? u1() : i4();
        if (n < 0) throw new StreamException(at, "negative block data length");
        skip(n, at);
    }

    private void note(String name, long at, boolean proxy) {
        String n = name;
        while (n.startsWith("[")) n = n.substring(1);
        if (n.startsWith("L") && n.endsWith(";")) n = n.substring(1, n.length() - 1);
        if (n.length() <= 1) return; // primitive array
        if (classes.size() < 100_000) classes.putIfAbsent(n, new NamedClass(n, at, proxy));
    }

    private void handle(Object o) throws StreamException {
        if (handles.size() >= MAX_HANDLES) throw new StreamException(pos, "more than " + MAX_HANDLES + " handles");
        handles.add(o);
    }

    private void skip(long n, long at) throws StreamException {
        if (n < 0 || n > end - pos) throw new StreamException(at, "data runs past the end of the stream");
        pos += n;
    }

    private int peek() throws IOException {
        if (pos >= end) throw new StreamException(pos, "stream ends early");
        byte[] b = new byte[1];
        src.readFully(pos, b, 0, 1);
        return b[0] & 0xFF;
    }

    private int u1() throws IOException {
        int v = peek();
        pos++;
        return v;
    }

    private int u2() throws IOException {
        return (u1() << 8) | u1();
    }

    private int i4() throws IOException {
        return (u2() << 16) | u2();
    }

    private long i8() throws IOException {
        return ((long) i4() << 32) | (i4() & 0xFFFFFFFFL);
    }

    /** Modified UTF-8 (Java's writeUTF); lengths bounded by the stream. */
    private String utf(int n) throws IOException {
        if (n < 0 || n > end - pos) throw new StreamException(pos, "string of " + n + " bytes exceeds the stream");
        // Strings stay in the handle table; past a budget only short prefixes are kept (class names are short).
        int keep = Math.min(n, retained > (32 << 20) ? 256 : 1 << 16);
        retained += keep;
        byte[] b = new byte[keep];
        try {
            src.readFully(pos, b, 0, keep);
        } catch (EOFException e) {
            throw new StreamException(pos, "stream ends inside a string");
        }
        pos += n;
        return new String(b, StandardCharsets.UTF_8);
    }
}
