package dev.modelvet.guard;

import java.io.ObjectInputFilter;
import java.util.function.BinaryOperator;

/**
 * The JVM-wide filter factory (JEP 415): every stream gets the guard, merged with whatever filter
 * the application sets, so the application can tighten but never loosen it (a rejection by either
 * wins). Install with {@code -Djdk.serialFilterFactory=dev.modelvet.guard.GuardFilterFactory}, or let
 * the agent install it before {@code main}.
 */
public final class GuardFilterFactory implements BinaryOperator<ObjectInputFilter> {
    private final GuardFilter guard;

    /** Used by {@code -Djdk.serialFilterFactory}: the bundled policy, or the file named by {@code -Dmodelvet.guard.config}. */
    public GuardFilterFactory() {
        this(GuardAgent.policyFrom(System.getProperty("modelvet.guard.config")), new GuardMetrics());
    }

    public GuardFilterFactory(GuardPolicy policy, GuardMetrics metrics) {
        this.guard = new GuardFilter(policy, metrics);
    }

    public GuardFilter guard() {
        return guard;
    }

    @Override
    public ObjectInputFilter apply(ObjectInputFilter current, ObjectInputFilter requested) {
        ObjectInputFilter app = requested != null ? requested : current;
        if (app == null || app == guard) return guard;
        return ObjectInputFilter.merge(guard, app);
    }
}
