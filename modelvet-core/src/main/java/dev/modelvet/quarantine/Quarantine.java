package dev.modelvet.quarantine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.BatchScanner;
import dev.modelvet.scan.Finding;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A folder where dangerous artifacts are moved, each with a JSON record beside it (original path,
 * SHA-256, findings, time). Nothing is ever lost: the record is written first; a move is a rename
 * where possible, otherwise copy, fsync, verify the hash, and only then delete the original. An
 * interrupted move leaves the original in place.
 */
public final class Quarantine {
    private static final String RECORD = ".modelvet.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One quarantined artifact. {@code stored} does not exist if the move was interrupted. */
    public record Entry(String id, Path stored, Path original, String sha256, Instant time, List<String> rules) {
        public boolean complete() {
            return Files.exists(stored);
        }
    }

    private final Path dir;

    public Quarantine(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Moves {@code file} into quarantine with a record of why. */
    public Entry put(Path file, ArtifactResult result) throws IOException {
        Files.createDirectories(dir);
        Path original = file.toAbsolutePath().normalize();
        String sha = BatchScanner.sha256(original);
        String base = sha.substring(0, 16) + "-" + safeName(original.getFileName().toString());
        String id = base;
        for (int i = 2; Files.exists(dir.resolve(id)) || Files.exists(dir.resolve(id + RECORD)); i++) id = base + "-" + i;
        Instant now = Instant.now();
        List<String> rules = new ArrayList<>();
        for (Finding f : result.findings()) if (!rules.contains(f.ruleId())) rules.add(f.ruleId());
        writeRecord(dir.resolve(id + RECORD), original, sha, now, result);
        Path stored = dir.resolve(id);
        move(original, stored, sha);
        return new Entry(id, stored, original, sha, now, rules);
    }

    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + RECORD)) {
            for (Path rec : ds) out.add(read(rec));
        }
        out.sort(java.util.Comparator.comparing(Entry::time).thenComparing(Entry::id));
        return out;
    }

    /** Moves an artifact back to where it came from (or {@code to}); refuses to overwrite. */
    public Path restore(String id, Path to) throws IOException {
        Path rec = dir.resolve(id + RECORD);
        if (!Files.isRegularFile(rec)) throw new IOException("no quarantined artifact with id '" + id + "' in " + dir);
        Entry e = read(rec);
        if (!e.complete()) throw new IOException("'" + id + "' was never moved in (interrupted); the original is still at " + e.original());
        Path target = to != null ? to : e.original();
        if (Files.exists(target)) throw new FileAlreadyExistsException(target + " exists; not overwritten");
        Files.createDirectories(target.toAbsolutePath().getParent());
        move(e.stored(), target, e.sha256());
        Files.delete(rec);
        return target;
    }

    private Entry read(Path rec) throws IOException {
        JsonNode n = JSON.readTree(rec.toFile());
        String name = rec.getFileName().toString();
        String id = name.substring(0, name.length() - RECORD.length());
        List<String> rules = new ArrayList<>();
        for (JsonNode f : n.path("findings")) if (!rules.contains(f.path("ruleId").asText())) rules.add(f.path("ruleId").asText());
        return new Entry(id, dir.resolve(id), Path.of(n.path("originalPath").asText()), n.path("sha256").asText(),
                Instant.parse(n.path("quarantinedAt").asText()), rules);
    }

    /** Rename when possible; otherwise copy, fsync, verify, then delete the source. */
    private static void move(Path from, Path to, String sha) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            return;
        } catch (AtomicMoveNotSupportedException e) {
            // another filesystem: copy below
        }
        Path part = to.resolveSibling(to.getFileName() + ".part");
        Files.copy(from, part, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        String copied = BatchScanner.sha256(part);
        if (!copied.equals(sha)) {
            Files.deleteIfExists(part);
            throw new IOException("copy of " + from + " does not match its SHA-256; original left in place");
        }
        Files.move(part, to, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(from);
    }

    private static void writeRecord(Path rec, Path original, String sha, Instant time, ArtifactResult r) throws IOException {
        Path part = rec.resolveSibling(rec.getFileName() + ".part");
        try (OutputStream out = Files.newOutputStream(part); JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("originalPath", original.toString());
            g.writeStringField("sha256", sha);
            g.writeStringField("quarantinedAt", time.toString());
            g.writeStringField("verdict", r.verdict().lowerName());
            g.writeStringField("format", r.format());
            g.writeArrayFieldStart("findings");
            for (Finding f : r.findings()) {
                g.writeStartObject();
                g.writeStringField("ruleId", f.ruleId());
                g.writeStringField("severity", f.severity().lowerName());
                g.writeStringField("path", f.path());
                g.writeStringField("message", f.message());
                g.writeStringField("evidence", f.evidence());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        Files.move(part, rec, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String safeName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.length() > 80 ? s.substring(0, 80) : s;
    }
}
