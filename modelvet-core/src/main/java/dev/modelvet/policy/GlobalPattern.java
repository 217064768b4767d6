package dev.modelvet.policy;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Matches Python globals {@code module.name}. The module matches exactly, or with
 * {@code submodules} also any module below it ({@code asyncio} matches {@code asyncio.unix_events}).
 * Names are globs ({@code *}, {@code ?}, {@code [A-Z]}); a plain name also matches attribute walks
 * below it ({@code Popen} matches {@code Popen.__init__}).
 */
public final class GlobalPattern {
    private final String module;
    private final boolean submodules;
    private final List<String> names;
    private final List<Pattern> compiled;
    private final boolean exact;

    public GlobalPattern(String module, boolean submodules, List<String> names) {
        this.module = module;
        this.submodules = submodules;
        this.names = List.copyOf(names);
        this.compiled = this.names.stream().map(GlobalPattern::glob).toList();
        this.exact = !submodules && this.names.stream().noneMatch(GlobalPattern::isGlob);
    }

    public String module() {
        return module;
    }

    public boolean submodules() {
        return submodules;
    }

    public List<String> names() {
        return names;
    }

    /** No wildcard in module or names. */
    boolean isExact() {
        return exact;
    }

    boolean matchesModule(String m) {
        return m.equals(module) || (submodules && m.startsWith(module) && m.length() > module.length()
                && m.charAt(module.length()) == '.');
    }

    boolean matches(String m, String name) {
        if (!matchesModule(m)) return false;
        for (int i = 0; i < compiled.size(); i++) {
            String n = names.get(i);
            if (compiled.get(i).matcher(name).matches()) return true;
            if (!isGlob(n) && name.startsWith(n) && name.length() > n.length() && name.charAt(n.length()) == '.') {
                return true;
            }
        }
        return false;
    }

    /** Exact-name match, without attribute walks; used by the allow-list. */
    boolean matchesWhole(String m, String name) {
        if (!matchesModule(m)) return false;
        for (Pattern p : compiled) {
            if (p.matcher(name).matches()) return true;
        }
        return false;
    }

    static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    private static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int end = g.indexOf(']', i);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        re.append('[').append(g, i + 1, end).append(']');
                        i = end;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return module + (submodules ? ".**" : "") + ":" + names;
    }
}
