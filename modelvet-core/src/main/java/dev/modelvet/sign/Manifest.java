package dev.modelvet.sign;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The OMS v1.0 manifest of a model: one SHA-256 per regular file, named by its path relative to the
 * model folder with '/' separators, in the reference implementation's order (paths compared part by
 * part, as Python's PurePosixPath does), and the root digest: SHA-256 of the concatenated raw digests.
 */
public final class Manifest {
    /** Ignored at the model root by default (OMS spec 6.2.1). */
    public static final List<String> DEFAULT_IGNORES = List.of(".git", ".gitattributes", ".github", ".gitignore");

    /** One file. */
    public record Resource(String name, String digest) { }

    private final List<Resource> resources;

    public Manifest(List<Resource> resources) {
        this.resources = List.copyOf(resources);
    }

    public List<Resource> resources() {
        return resources;
    }

    /** SHA-256 over the raw digests in listed order (hex). */
    public String rootDigest() {
        MessageDigest md = sha256();
        for (Resource r : resources) md.update(HexFormat.of().parseHex(r.digest()));
        return HexFormat.of().formatHex(md.digest());
    }

    /** Builds the manifest of {@code model} (a folder or one file); symlinks are refused. */
    public static Manifest of(Path model, Set<String> ignoredRelativePaths) throws IOException {
        List<Resource> out = new ArrayList<>();
        if (Files.isSymbolicLink(model)) throw new SignatureException(model + " is a symbolic link; refusing to sign or verify through links");
        if (Files.isRegularFile(model, LinkOption.NOFOLLOW_LINKS)) {
            out.add(new Resource(model.getFileName().toString(), hash(model)));
            return new Manifest(out);
        }
        if (!Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)) throw new SignatureException(model + ": no such file or folder");
        List<String> symlinks = new ArrayList<>();
        Files.walkFileTree(model, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(model) && ignoredRelativePaths.contains(rel(model, dir))) return FileVisitResult.SKIP_SUBTREE;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = rel(model, file);
                if (ignoredRelativePaths.contains(name)) return FileVisitResult.CONTINUE;
                if (attrs.isSymbolicLink()) {
                    symlinks.add(name);
                } else if (attrs.isRegularFile()) {
                    out.add(new Resource(name, hash(file)));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (!symlinks.isEmpty()) throw new SignatureException("symbolic links are not allowed in a signed model: " + symlinks);
        out.sort(Comparator.comparing(Resource::name, Manifest::comparePosix));
        return new Manifest(out);
    }

    static String rel(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    /** PurePosixPath ordering: part by part. */
    static int comparePosix(String a, String b) {
        String[] pa = a.split("/");
        String[] pb = b.split("/");
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            int c = pa[i].compareTo(pb[i]);
            if (c != 0) return c;
        }
        return Integer.compare(pa.length, pb.length);
    }

    static String hash(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** SHA-256 (hex) of the raw bytes a hex digest stands for. */
    static String sha256Hex(String hexDigest) {
        return HexFormat.of().formatHex(sha256().digest(HexFormat.of().parseHex(hexDigest)));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
