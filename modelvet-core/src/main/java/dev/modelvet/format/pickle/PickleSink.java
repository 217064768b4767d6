package dev.modelvet.format.pickle;

import dev.modelvet.scan.Severity;

/** What the symbolic machine reports while it runs; the analysis turns it into findings. */
interface PickleSink {

    /** A global was resolved (GLOBAL, STACK_GLOBAL, INST). */
    void global(Value.Global global);

    /**
     * Something was called: REDUCE, INST, OBJ (a call), NEWOBJ and NEWOBJ_EX (an instantiation), or a
     * method the loader invokes implicitly (BUILD's {@code __setstate__}, APPEND on a non-list).
     */
    void call(Value.Call call);

    /** A structural observation that is a finding by itself. */
    void structural(String ruleId, Severity severity, long offset, String message, String evidence);

    /**
     * An opcode crossed its frame's end. A reader that honours frame boundaries by dropping the
     * rest of a frame buffer takes the read at {@code readStart}, and everything after it, from
     * {@code frameEnd}, so it executes a different stream from the linear one; that view is scanned
     * as well. (CPython 3.11's C unpickler reads such input linearly and its Python unpickler
     * refuses it; the differential reported against newer CPython versions is of this shape.)
     */
    default void frameView(long opOffset, long readStart, long frameEnd) {
    }

    /**
     * {@code builtins.getattr(owner, 'name')} with a constant name, which resolved to an allow-listed
     * attribute (the way CPython pickles classmethods such as {@code zoneinfo.ZoneInfo._unpickle}) or
     * to a method of an instance of an allow-listed class (bound methods kept in optimizer/scheduler
     * state): a lookup, reported instead of {@link #call}.
     */
    default void lookup(Value.Global getattr, String resolved, long offset) {
    }

    /** BUILD applied {@code state} to {@code object}, an instance of {@code cls} (whatever the policy says of it). */
    default void built(Value.Call object, Value.Global cls, Value state, long offset) {
    }

    /** A persistent id handed to {@code persistent_load}. */
    void persistentId(Value pid, long offset);
}
