package dev.modelvet.format.keras;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The identifiers inside a marshalled Python code object (a Keras Lambda's {@code func.__code__}):
 * short ASCII string records ({@code z}/{@code Z}/{@code a}/{@code A}/{@code u}/{@code t}, with or without
 * the FLAG_REF bit) that read as identifiers, i.e. co_names, co_varnames and string constants. Works
 * across CPython versions because it does not depend on the code object's field layout.
 */
final class MarshalNames {
    private MarshalNames() {
    }

    static Set<String> of(byte[] m) {
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < m.length - 1 && out.size() < 200; i++) {
            int t = m[i] & 0x7F;
            int len;
            int start;
            if (t == 'z' || t == 'Z') {
                len = m[i + 1] & 0xFF;
                start = i + 2;
            } else if ((t == 'a' || t == 'A' || t == 'u' || t == 't') && i + 4 < m.length) {
                len = (m[i + 1] & 0xFF) | (m[i + 2] & 0xFF) << 8 | (m[i + 3] & 0xFF) << 16 | (m[i + 4] & 0xFF) << 24;
                start = i + 5;
            } else {
                continue;
            }
            if (len < 1 || len > 256 || start + len > m.length) continue;
            boolean ident = true;
            for (int k = start; k < start + len; k++) {
                int c = m[k] & 0xFF;
                if (!(c == '_' || c == '.' || c == ' ' || c == '-' || c == '/' || c == ':' || Character.isLetterOrDigit(c)) || c > 0x7E) {
                    ident = false;
                    break;
                }
            }
            if (ident) out.add(new String(m, start, len, java.nio.charset.StandardCharsets.US_ASCII));
        }
        return out;
    }
}
