package dev.modelvet.guard;

import java.io.ObjectInputFilter;
import java.lang.System.Logger.Level;

/**
 * The filter the guard puts on every {@link java.io.ObjectInputStream}: limits first, then the
 * deny-list, then (in allow mode) the allow-list. A rejection is logged with the class and the code
 * that was deserializing, and counted.
 */
public final class GuardFilter implements ObjectInputFilter {
    private static final System.Logger LOG = System.getLogger("dev.modelvet.guard");
    private final GuardPolicy policy;
    private final GuardMetrics metrics;

    public GuardFilter(GuardPolicy policy, GuardMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
    }

    public GuardMetrics metrics() {
        return metrics;
    }

    @Override
    public Status checkInput(FilterInfo info) {
        metrics.checked();
        if (info.depth() > policy.maxDepth()) return reject("depth " + info.depth());
        if (info.references() > policy.maxReferences()) return reject("references " + info.references());
        if (info.streamBytes() > policy.maxBytes()) return reject("stream bytes " + info.streamBytes());
        if (info.arrayLength() > policy.maxArrayLength()) return reject("array length " + info.arrayLength());
        Class<?> c = info.serialClass();
        if (c == null) return Status.UNDECIDED;
        while (c.isArray()) c = c.getComponentType();
        if (c.isPrimitive()) return Status.UNDECIDED;
        String name = c.getName();
        if (GuardPolicy.matches(policy.deny(), name)) return reject(name);
        if (java.lang.reflect.Proxy.isProxyClass(c)) {
            for (Class<?> i : c.getInterfaces()) if (GuardPolicy.matches(policy.deny(), i.getName())) return reject(i.getName());
        }
        if (policy.allowMode()) {
            if (GuardPolicy.matches(policy.allow(), name) || GuardPolicy.matches(GuardPolicy.ALWAYS_ALLOWED, name) || c.isEnum()) {
                return Status.ALLOWED;
            }
            return reject(name + " (not on the allow-list)");
        }
        return Status.UNDECIDED;
    }

    private Status reject(String what) {
        metrics.rejected(what);
        if (LOG.isLoggable(Level.WARNING)) {
            StringBuilder caller = new StringBuilder();
            for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
                String cls = e.getClassName();
                if (cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("dev.modelvet.guard.")) continue;
                caller.append(caller.length() == 0 ? "" : " <- ").append(cls).append('.').append(e.getMethodName());
                if (caller.length() > 300) break;
            }
            LOG.log(Level.WARNING, "modelvet-guard rejected deserialization of " + what + (caller.length() > 0 ? " from " + caller : ""));
        }
        return Status.REJECTED;
    }
}
