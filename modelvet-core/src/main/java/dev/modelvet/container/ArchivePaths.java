package dev.modelvet.container;

/** Entry names that would land outside the folder an archive is extracted to. */
final class ArchivePaths {
    private ArchivePaths() {
    }

    static boolean escapes(String name) {
        String n = name.replace('\\', '/');
        if (n.startsWith("/") || n.matches("^[A-Za-z]:.*") || n.startsWith("//")) return true;
        for (String part : n.split("/")) {
            if (part.equals("..")) return true;
        }
        return false;
    }
}
