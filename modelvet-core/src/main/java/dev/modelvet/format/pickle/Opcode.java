package dev.modelvet.format.pickle;

/**
 * Every opcode of CPython's pickle protocols 0-5 ({@code pickletools.opcodes}), with the shape of
 * its inline argument.
 */
enum Opcode {
    // protocol 0
    MARK('(', Arg.NONE, 0), STOP('.', Arg.NONE, 0), POP('0', Arg.NONE, 0), POP_MARK('1', Arg.NONE, 1),
    DUP('2', Arg.NONE, 0), FLOAT('F', Arg.LINE_FLOAT, 0), INT('I', Arg.LINE_INT, 0), LONG('L', Arg.LINE_LONG, 0),
    NONE('N', Arg.NONE, 0), PERSID('P', Arg.LINE_STRING_RAW, 0), REDUCE('R', Arg.NONE, 0),
    STRING('S', Arg.LINE_QUOTED, 0), UNICODE('V', Arg.LINE_UNICODE, 0), APPEND('a', Arg.NONE, 0),
    BUILD('b', Arg.NONE, 0), GLOBAL('c', Arg.TWO_LINES, 0), DICT('d', Arg.NONE, 0), GET('g', Arg.LINE_INT, 0),
    INST('i', Arg.TWO_LINES, 0), LIST('l', Arg.NONE, 0), PUT('p', Arg.LINE_INT, 0), SETITEM('s', Arg.NONE, 0),
    TUPLE('t', Arg.NONE, 0),
    // protocol 1
    BINFLOAT('G', Arg.F8BE, 1), BININT('J', Arg.I4, 1), BININT1('K', Arg.U1, 1), BININT2('M', Arg.U2, 1),
    BINPERSID('Q', Arg.NONE, 1), BINSTRING('T', Arg.STR_I4, 1), SHORT_BINSTRING('U', Arg.STR_U1, 1),
    BINUNICODE('X', Arg.UTF8_U4, 1), EMPTY_DICT('}', Arg.NONE, 1), APPENDS('e', Arg.NONE, 1),
    BINGET('h', Arg.U1, 1), LONG_BINGET('j', Arg.U4, 1), EMPTY_LIST(']', Arg.NONE, 1), OBJ('o', Arg.NONE, 1),
    BINPUT('q', Arg.U1, 1), LONG_BINPUT('r', Arg.U4, 1), EMPTY_TUPLE(')', Arg.NONE, 1),
    SETITEMS('u', Arg.NONE, 1),
    // protocol 2
    PROTO(0x80, Arg.U1, 2), NEWOBJ(0x81, Arg.NONE, 2), EXT1(0x82, Arg.U1, 2), EXT2(0x83, Arg.U2, 2),
    EXT4(0x84, Arg.I4, 2), TUPLE1(0x85, Arg.NONE, 2), TUPLE2(0x86, Arg.NONE, 2), TUPLE3(0x87, Arg.NONE, 2),
    NEWTRUE(0x88, Arg.NONE, 2), NEWFALSE(0x89, Arg.NONE, 2), LONG1(0x8a, Arg.LONG_U1, 2),
    LONG4(0x8b, Arg.LONG_I4, 2),
    // protocol 3
    BINBYTES('B', Arg.BYTES_U4, 3), SHORT_BINBYTES('C', Arg.BYTES_U1, 3),
    // protocol 4
    SHORT_BINUNICODE(0x8c, Arg.UTF8_U1, 4), BINUNICODE8(0x8d, Arg.UTF8_U8, 4), BINBYTES8(0x8e, Arg.BYTES_U8, 4),
    EMPTY_SET(0x8f, Arg.NONE, 4), ADDITEMS(0x90, Arg.NONE, 4), FROZENSET(0x91, Arg.NONE, 4),
    NEWOBJ_EX(0x92, Arg.NONE, 4), STACK_GLOBAL(0x93, Arg.NONE, 4), MEMOIZE(0x94, Arg.NONE, 4),
    FRAME(0x95, Arg.U8, 4),
    // protocol 5
    BYTEARRAY8(0x96, Arg.BYTES_U8, 5), NEXT_BUFFER(0x97, Arg.NONE, 5), READONLY_BUFFER(0x98, Arg.NONE, 5);

    /** Shape of the inline argument. */
    enum Arg {
        NONE, U1, U2, I4, U4, U8, F8BE,
        LINE_INT, LINE_LONG, LINE_FLOAT, LINE_QUOTED, LINE_UNICODE, LINE_STRING_RAW, TWO_LINES,
        STR_U1, STR_I4, UTF8_U1, UTF8_U4, UTF8_U8, BYTES_U1, BYTES_U4, BYTES_U8, LONG_U1, LONG_I4
    }

    private static final Opcode[] BY_CODE = new Opcode[256];

    static {
        for (Opcode op : values()) BY_CODE[op.code] = op;
    }

    final int code;
    final Arg arg;
    final int protocol;

    Opcode(int code, Arg arg, int protocol) {
        this.code = code;
        this.arg = arg;
        this.protocol = protocol;
    }

    /** The opcode for a byte, or null when the byte is no opcode. */
    static Opcode of(int b) {
        return BY_CODE[b & 0xFF];
    }
}
