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
 * each file's hash under its identity (path, size, modification and status-change times in
 * nanoseconds, inode), so unchanged files are not even re-read. The status-change time (ctime) is
 * what makes this safe: a user can set mtime back after rewriting a file in place at the same size,
 * but not ctime. Where ctime cannot be read, or the file changed too recently to be sure (its ctime
 * within {@link #RACY_NANOS} of the moment it was hashed, as git treats "racily clean" entries), the
 * hash is not remembered and the file is re-hashed. A damaged database is set aside and recreated,
 * never fatal. Thread-safe.
 */
public final class ScanCache implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A file whose ctime is this close to the time it was hashed may still be being written: not remembered. */
    static final long RACY_NANOS = 100_000_000L; // Linux stamps files from a coarse clock (one tick: 1-10 ms)
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
            // 'files' (size, mtime in ms, inode) trusted a restorable mtime; its rows are dropped, not trusted.
            s.execute("DROP TABLE IF EXISTS files");
            s.execute("CREATE TABLE IF NOT EXISTS file_identity (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, "
                    + "ctime_ns INTEGER NOT NULL, inode TEXT NOT NULL, sha256 TEXT NOT NULL)");
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

    /** The remembered hash of {@code path} if it has not changed since (size, mtime, ctime, inode). */
    public synchronized Optional<String> knownHash(Path path) {
        try {
            Identity id = Identity.of(path);
            if (id == null) return Optional.empty();
            try (PreparedStatement q = db.prepareStatement(
                    "SELECT size, mtime_ns, ctime_ns, inode, sha256 FROM file_identity WHERE path = ?")) {
                q.setString(1, id.path);
                try (ResultSet r = q.executeQuery()) {
                    if (r.next() && r.getLong(1) == id.size && r.getLong(2) == id.mtimeNs && r.getLong(3) == id.ctimeNs
                            && id.inode.equals(r.getString(4))) {
                        return Optional.of(r.getString(5));
                    }
                }
            }
        } catch (IOException | SQLException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The identity of {@code path} now, to take before hashing it and hand to
     * {@link #rememberHash(Path, String, Object)}; null when it cannot be had (no ctime on this file system).
     */
    public Object identity(Path path) {
        try {
            return Identity.of(path);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Remembers {@code sha256} for {@code path} if the file's identity is still {@code before} (taken
     * before hashing) and its last change is not too recent to be sure nothing is still writing it.
     */
    public synchronized void rememberHash(Path path, String sha256, Object before) {
        try {
            Identity id = Identity.of(path);
            if (id == null || !id.equals(before) || id.ctimeNs > nowNanos() - RACY_NANOS) return;
            try (PreparedStatement u = db.prepareStatement("INSERT OR REPLACE INTO file_identity VALUES (?, ?, ?, ?, ?, ?)")) {
                u.setString(1, id.path);
                u.setLong(2, id.size);
                u.setLong(3, id.mtimeNs);
                u.setLong(4, id.ctimeNs);
                u.setString(5, id.inode);
                u.setString(6, sha256);
                u.executeUpdate();
            }
        } catch (IOException | SQLException e) {
            // a cache that cannot write only costs time
        }
    }

    /** Whether {@code path} still has the identity {@code before}: a result computed in between belongs to that content. */
    public boolean unchanged(Path path, Object before) {
        return before != null && before.equals(identity(path));
    }

    private static long nowNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
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

    private record Identity(String path, long size, long mtimeNs, long ctimeNs, String inode) {
        /** Null where the file system gives no ctime: then nothing is trusted without hashing. */
        static Identity of(Path p) throws IOException {
            Path abs = p.toAbsolutePath().normalize();
            BasicFileAttributes a = Files.readAttributes(abs, BasicFileAttributes.class);
            Object ctime;
            try {
                ctime = Files.getAttribute(abs, "unix:ctime");
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                return null;
            }
            if (!(ctime instanceof java.nio.file.attribute.FileTime c) || !a.isRegularFile()) return null;
            Object key = a.fileKey();
            return new Identity(abs.toString(), a.size(), nanos(a.lastModifiedTime()), nanos(c), key == null ? "" : key.toString());
        }

        private static long nanos(java.nio.file.attribute.FileTime t) {
            java.time.Instant i = t.toInstant();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
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
