package dev.modelvet.policy;

/**
 * What the policy says of one global.
 *
 * @param kind      allowed, denied or unknown
 * @param rule      the deny rule for {@link Kind#DENIED}, else null
 * @param matchedAs the dotted name the rule matched, which differs from {@code module.name} for
 *                  attribute walks ({@code torch} + {@code os.system} matches as {@code os.system})
 */
public record Classification(Kind kind, GlobalRule rule, String matchedAs) {
    public enum Kind { ALLOWED, DENIED, UNKNOWN }

    static Classification allowed(String name) {
        return new Classification(Kind.ALLOWED, null, name);
    }

    static Classification unknown(String name) {
        return new Classification(Kind.UNKNOWN, null, name);
    }

    public boolean denied() {
        return kind == Kind.DENIED;
    }

    public boolean allowed() {
        return kind == Kind.ALLOWED;
    }
}
