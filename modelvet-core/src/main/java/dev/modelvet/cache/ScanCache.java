package dev.modelvet.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Finding;
import dev.modelvet.scan.NestedArtifact;
import dev.modelvet.scan.ScanError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scan results kept in an embedded SQLite file, keyed by the content's SHA-256 and the policy in
 * force, so a periodic re-scan of a model store parses only what changed. A second table remembers
 * each file's hash under its identity (path, size, modification time, inode), so unchanged files are
 * not even re-read. A damaged database is set aside and recreated, never fatal. Thread-safe.
 */
public final class ScanCache implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Connection db;
    private final Path file;
    private final String warning;

    private ScanCache(Connection db, Path file, String warning) {
        this.db = db;
        this.file = file;
        this.warning = warning;
    }

    /** {@code $XDG_CACHE_HOME/modelvet/scan-cache.db}, else {@code ~/.cache/modelvet/scan-cache.db}. */
    public static Path defaultPath(Map<String, String> env) {
        String override = System.getProperty("modelvet.cache.file");
        if (override != null && !override.isBlank()) return Path.of(override);
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("modelvet").resolve("scan-cache.db");
    }

    public static ScanCache open(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            return new ScanCache(connect(file), file, null);
        } catch (SQLException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".damaged-" + System.currentTimeMillis());
            Files.move(file, aside);
            try {
                return new ScanCache(connect(file), file, "cache " + file + " was unreadable (" + e.getMessage()
                        + "); set aside as " + aside.getFileName() + " and recreated");
            } catch (SQLException again) {
                throw new IOException("cannot create the scan cache " + file + ": " + again.getMessage(), again);
            }
        }
    }

    private static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("PRAGMA synchronous=NORMAL"); // WAL: no fsync per commit; a crash loses recent rows, never the file
            s.execute("CREATE TABLE IF NOT EXISTS results (sha256 TEXT NOT NULL, policy TEXT NOT NULL, result TEXT NOT NULL, "
                    + "stored INTEGER NOT NULL, PRIMARY KEY (sha256, policy))");
            s.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, inode TEXT, sha256 TEXT)");
            s.executeQuery("SELECT count(*) FROM results").close();
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** A warning to show when the database had to be recreated, else null. */
    public String warning() {
        return warning;
    }

    public Path file() {
        return file;
    }

    /** The remembered hash of {@code path} if it has not changed since (size, mtime, inode). */
    public synchronized Optional<String> knownHash(Path path) {
        try {
            Identity id = Identity.of(path);
            try (PreparedStatement q = db.prepareStatement("SELECT size, mtime, inode, sha256 FROM files WHERE path = ?")) {
                q.setString(1, id.path);
                try (ResultSet r = q.executeQuery()) {
                    if (r.next() && r.getLong(1) == id.size && r.getLong(2) == id.mtime && id.inode.equals(r.getString(3))) {
                        return Optional.of(r.getString(4));
                    }
                }
            }
        } catch (IOException | SQLException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    public synchronized void rememberHash(Path path, String sha256) {
        try {
            Identity id = Identity.of(path);
            try (PreparedStatement u = db.prepareStatement("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)")) {
                u.setString(1, id.path);
                u.setLong(2, id.size);
                u.setLong(3, id.mtime);
                u.setString(4, id.inode);
                u.setString(5, sha256);
                u.executeUpdate();
            }
        } catch (IOException | SQLException e) {
            // a cache that cannot write only costs time
        }
    }

    /** The cached result for this content under this policy, re-labelled with {@code displayPath}. */
    public synchronized Optional<ArtifactResult> get(String sha256, String policyKey, String displayPath) {
        try (PreparedStatement q = db.prepareStatement("SELECT result FROM results WHERE sha256 = ? AND policy = ?")) {
            q.setString(1, sha256);
            q.setString(2, policyKey);
            try (ResultSet r = q.executeQuery()) {
                if (!r.next()) return Optional.empty();
                ArtifactResult cached = JSON.readValue(r.getString(1), ArtifactResult.class);
                return Optional.of(relabel(cached, displayPath));
            }
        } catch (SQLException | IOException e) {
            return Optional.empty();
        }
    }

    public synchronized void put(String sha256, String policyKey, ArtifactResult result) {
        try (PreparedStatement u = db.prepareStatement("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)")) {
            u.setString(1, sha256);
            u.setString(2, policyKey);
            u.setString(3, JSON.writeValueAsString(result));
            u.setLong(4, System.currentTimeMillis());
            u.executeUpdate();
        } catch (SQLException | IOException e) {
            // not cached: the next scan parses again
        }
    }

    /** The same content found under another path: every path is rewritten to the new one. */
    static ArtifactResult relabel(ArtifactResult r, String path) {
        String old = r.path();
        if (old.equals(path)) return r;
        List<Finding> f = r.findings().stream().map(x -> new Finding(x.ruleId(), x.severity(), swap(x.path(), old, path), x.offset(),
                x.message(), x.evidence(), x.reference(), x.line(), x.column())).toList();
        List<ScanError> e = r.errors().stream().map(x -> new ScanError(x.code(), swap(x.path(), old, path), x.offset(), x.message())).toList();
        List<NestedArtifact> a = r.artifacts().stream().map(x -> new NestedArtifact(swap(x.path(), old, path), x.format(), x.size(), x.note())).toList();
        return new ArtifactResult(path, r.size(), r.format(), r.verdict(), r.maxSeverity(), f, e, a, 0);
    }

    private static String swap(String p, String old, String now) {
        return p.startsWith(old) ? now + p.substring(old.length()) : p;
    }

    private record Identity(String path, long size, long mtime, String inode) {
        static Identity of(Path p) throws IOException {
            Path abs = p.toAbsolutePath().normalize();
            BasicFileAttributes a = Files.readAttributes(abs, BasicFileAttributes.class);
            Object key = a.fileKey();
            return new Identity(abs.toString(), a.size(), a.lastModifiedTime().toMillis(), key == null ? "" : key.toString());
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // nothing left to do
        }
    }
}
