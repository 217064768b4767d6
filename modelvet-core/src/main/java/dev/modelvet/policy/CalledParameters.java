package dev.modelvet.policy;

import java.util.List;
import java.util.Set;

/**
 * Which parameters of a callee it will call: {@code defaultdict(factory)} calls {@code factory} for a
 * missing key, {@code LambdaLR(optimizer, lr_lambda)} calls {@code lr_lambda} on every step, a
 * {@code torch.nn} module calls the hooks kept in its state. A callable that reaches one of them is
 * judged as called, whoever calls it and whenever, so that an allow-listed callee cannot launder a
 * call the pickle only passes as data.
 *
 * @param targets the callees (the same patterns as the allow and deny lists)
 * @param args    positional parameters called (0-based), as passed by REDUCE, NEWOBJ or INST
 * @param kwargs  keyword parameters called (NEWOBJ_EX, {@code copyreg.__newobj_ex__})
 * @param state   keys of the state BUILD applies (a dict key or attribute name, or a tuple index
 *                such as {@code "0"} for {@code partial.__setstate__}); {@code "*"} is every key
 * @param note    why (shown in the finding)
 */
public record CalledParameters(List<GlobalPattern> targets, Set<Integer> args, Set<String> kwargs, Set<String> state,
                               String note) {
    public static final String EVERY = "*";

    public CalledParameters {
        targets = List.copyOf(targets);
        args = Set.copyOf(args);
        kwargs = Set.copyOf(kwargs);
        state = Set.copyOf(state);
    }

    boolean matches(String module, String name) {
        for (GlobalPattern p : targets) {
            if (p.matchesWhole(module, name)) return true;
        }
        return false;
    }

    /** Whether the state entry named {@code key} (a dict key, attribute name or tuple index) is called. */
    public boolean stateCalled(String key) {
        return state.contains(EVERY) || state.contains(key);
    }
}
