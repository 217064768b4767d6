package dev.modelvet.format.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds pickle byte streams opcode by opcode, for tests. */
final class Pickles {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Pickles proto(int v) {
        return new Pickles().op(0x80).raw(v);
    }

    static Pickles p0() {
        return new Pickles();
    }

    Pickles op(int code) {
        out.write(code);
        return this;
    }

    Pickles raw(int... bytes) {
        for (int b : bytes) out.write(b);
        return this;
    }

    Pickles ascii(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    Pickles sbu(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(0x8c);
        out.write(b.length);
        out.writeBytes(b);
        return this;
    }

    Pickles binunicode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        u32(b.length);
        out.writeBytes(b);
        return this;
    }

    Pickles shortBinbytes(byte[] b) {
        out.write('C');
        out.write(b.length);
        out.writeBytes(b);
        return this;
    }

    Pickles binbytes(byte[] b) {
        out.write('B');
        u32(b.length);
        out.writeBytes(b);
        return this;
    }

    Pickles global(String module, String name) {
        return ascii("c" + module + "\n" + name + "\n");
    }

    Pickles stackGlobal(String module, String name) {
        return sbu(module).sbu(name).op(0x93);
    }

    Pickles u32(long v) {
        for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)) & 0xFF);
        return this;
    }

    Pickles u64(long v) {
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)) & 0xFF);
        return this;
    }

    Pickles binint1(int v) {
        return op('K').raw(v);
    }

    Pickles tuple1() {
        return op(0x85);
    }

    Pickles reduce() {
        return op('R');
    }

    Pickles memoize() {
        return op(0x94);
    }

    Pickles binput(int i) {
        return op('q').raw(i);
    }

    Pickles binget(int i) {
        return op('h').raw(i);
    }

    Pickles stop() {
        return op('.');
    }

    /** {@code module.name(arg)} via STACK_GLOBAL + TUPLE1 + REDUCE. */
    Pickles call(String module, String name, String arg) {
        return stackGlobal(module, name).sbu(arg).tuple1().reduce();
    }

    Pickles append(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
