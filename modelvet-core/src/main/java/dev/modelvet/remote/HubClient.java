package dev.modelvet.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Hugging Face Hub API as the official client uses it: {@code HF_ENDPOINT} (default
 * https://huggingface.co), the token from {@code HF_TOKEN}, {@code HUGGING_FACE_HUB_TOKEN} or the
 * token file, {@code GET /api/models/{repo}[/revision/{rev}]?blobs=true} for the file list with
 * sizes and LFS SHA-256s, and {@code /{repo}/resolve/{rev}/{path}} for the bytes (redirects to a CDN
 * are followed without the token).
 */
public final class HubClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One file of a repository. */
    public record HubFile(String path, long size, String lfsSha256) { }

    /** A repository listing at a resolved commit. */
    public record Listing(String repo, String revision, String commit, List<HubFile> files) { }

    private final String endpoint;
    private final Http http;

    public HubClient(String endpoint, String token) {
        String e = endpoint == null || endpoint.isBlank() ? "https://huggingface.co" : endpoint.strip();
        while (e.endsWith("/")) e = e.substring(0, e.length() - 1);
        this.endpoint = e;
        this.http = new Http(token);
    }

    /** Configured from the environment, as huggingface_hub does. */
    public static HubClient fromEnvironment(Map<String, String> env) {
        String token = env.get("HF_TOKEN");
        if (token == null || token.isBlank()) token = env.get("HUGGING_FACE_HUB_TOKEN");
        if (token == null || token.isBlank()) {
            String home = env.getOrDefault("HF_HOME", System.getProperty("user.home") + "/.cache/huggingface");
            Path file = Path.of(env.getOrDefault("HF_TOKEN_PATH", home + "/token"));
            try {
                if (Files.isRegularFile(file)) token = Files.readString(file).strip();
            } catch (IOException e) {
                token = null;
            }
        }
        return new HubClient(env.get("HF_ENDPOINT"), token == null || token.isBlank() ? null : token);
    }

    public String endpoint() {
        return endpoint;
    }

    /** Lists {@code owner/name[@revision]}. */
    public Listing list(String spec) throws IOException {
        String repo = spec;
        String rev = null;
        int at = spec.indexOf('@');
        if (at >= 0) {
            repo = spec.substring(0, at);
            rev = spec.substring(at + 1);
        }
        if (!repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?")) {
            throw new IOException("not a Hub repository id: '" + repo + "'");
        }
        String api = endpoint + "/api/models/" + repo + (rev == null ? "" : "/revision/" + enc(rev)) + "?blobs=true";
        HttpResponse<InputStream> r = http.get(URI.create(api), Map.of("Accept", "application/json"));
        JsonNode root;
        try (InputStream in = r.body()) {
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                throw new IOException(repo + ": access denied (HTTP " + r.statusCode() + "); set HF_TOKEN for private or gated repositories");
            }
            if (r.statusCode() == 404) throw new IOException(repo + (rev == null ? "" : "@" + rev) + ": not found on " + endpoint);
            if (r.statusCode() != 200) throw new IOException(repo + ": Hub API answered HTTP " + r.statusCode());
            root = JSON.readTree(in.readNBytes(64 << 20));
        }
        String commit = root.path("sha").asText(r.headers().firstValue("X-Repo-Commit").orElse(rev == null ? "main" : rev));
        List<HubFile> files = new ArrayList<>();
        for (JsonNode s : root.path("siblings")) {
            String path = s.path("rfilename").asText();
            if (path.isEmpty()) continue;
            JsonNode lfs = s.path("lfs");
            files.add(new HubFile(path, s.path("size").asLong(lfs.path("size").asLong(-1)),
                    lfs.isMissingNode() ? null : lfs.path("sha256").asText(null)));
        }
        return new Listing(repo, rev == null ? "main" : rev, commit, files);
    }

    /** The bytes of one file, pinned to the listing's commit, fetched on demand. */
    public RemoteSource open(Listing listing, HubFile file, long maxBytes) throws IOException {
        String path = String.join("/", java.util.Arrays.stream(file.path().split("/")).map(HubClient::enc).toList());
        URI url = URI.create(endpoint + "/" + listing.repo() + "/resolve/" + enc(listing.commit()) + "/" + path);
        return new RemoteSource(http, url, file.size(), maxBytes);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
