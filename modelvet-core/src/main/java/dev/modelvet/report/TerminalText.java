package dev.modelvet.report;

/**
 * Makes text from scanned files safe to print on a terminal. File names, global names and evidence
 * come from an attacker: an ESC sequence can erase or rewrite a CRITICAL line, a bidi override can
 * make {@code exe.txt} read as {@code txt.exe}. Every such character is shown as a visible escape
 * ({@code \x1b}, {@code \u202e}); everything else, including ordinary non-ASCII letters, is kept.
 * JSON and SARIF need none of this: their string escaping already covers control characters.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** {@code text} with every control, direction-format and line-separator character escaped. */
    public static String escape(String text) {
        if (text == null) return "";
        int i = 0;
        while (i < text.length() && !unsafeAt(text, i)) i++;
        if (i == text.length()) return text;
        StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!unsafeAt(text, i)) sb.append(c);
            else if (c < 0x100) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(String.format("\\u%04x", (int) c));
        }
        return sb.toString();
    }

    /** True when the char at {@code i} must not reach a terminal as is (a lone surrogate too: terminals garble it). */
    private static boolean unsafeAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (Character.isLowSurrogate(c)) return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        return unsafe(c);
    }

    /** C0, DEL, C1, bidi embeddings/overrides/isolates and marks, line and paragraph separators. */
    static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e || c == 0x200f || c == 0x061c || c == 0x2028 || c == 0x2029;
    }

    /**
     * For JSON and SARIF: the same characters written as {@code \\uXXXX} escapes. The decoded strings
     * stay exact, and a report printed with {@code cat} cannot drive the terminal either. (Jackson
     * already escapes C0; DEL, C1 and the bidi controls would otherwise be written raw.)
     */
    public static com.fasterxml.jackson.core.io.CharacterEscapes jsonEscapes() {
        return JsonEscapes.INSTANCE;
    }

    private static final class JsonEscapes extends com.fasterxml.jackson.core.io.CharacterEscapes {
        private static final long serialVersionUID = 1L;
        static final JsonEscapes INSTANCE = new JsonEscapes();
        private final int[] ascii = standardAsciiEscapesForJSON();

        private JsonEscapes() {
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public com.fasterxml.jackson.core.SerializableString getEscapeSequence(int ch) {
            // Only reached for non-ASCII chars; null means "write as is".
            // Surrogates too: a lone one (a file name that was not UTF-8) would be written raw otherwise;
            // a pair written as two escapes still decodes to the same character.
            return ch < 0x10000 && (unsafe((char) ch) || Character.isSurrogate((char) ch))
                    ? new com.fasterxml.jackson.core.io.SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
