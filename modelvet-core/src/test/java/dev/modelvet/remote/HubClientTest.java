package dev.modelvet.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.modelvet.config.Config;
import dev.modelvet.fixtures.FixtureManifestTest;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Severity;
import dev.modelvet.scan.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A fake Hub and CDN on loopback: real HTTP, real redirects, Range requests, LFS hashes, tokens. */
class HubClientTest {
    private static final String TOKEN = "hf_test_token";
    private HttpServer hub;
    private HttpServer cdn;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final AtomicLong cdnBytes = new AtomicLong();
    private final AtomicLong leakedTokens = new AtomicLong();
    private String listing;

    @BeforeEach
    void start() throws Exception {
        byte[] big = safetensors(40 << 20);
        byte[] evil = Files.readAllBytes(FixtureManifestTest.repoRoot().resolve("fixtures/ml/mal_torch_data_pkl.pt"));
        byte[] config = "{\"architectures\": [\"BertModel\"]}".getBytes(StandardCharsets.UTF_8);
        files.put("model.safetensors", big);
        files.put("pytorch_model.bin", evil);
        files.put("config.json", config);
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn.createContext("/cdn/", this::serveCdn);
        cdn.start();
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        listing = "{\"sha\": \"0123abcd\", \"siblings\": ["
                + sibling("model.safetensors", big, sha(big)) + ","
                + sibling("pytorch_model.bin", evil, sha(evil)) + ","
                + sibling("config.json", config, "00" + sha(config).substring(2)) + "]}";
        hub.createContext("/", this::serveHub);
        hub.start();
    }

    @AfterEach
    void stop() {
        hub.stop(0);
        cdn.stop(0);
    }

    private static String sibling(String name, byte[] b, String sha) {
        return "{\"rfilename\": \"" + name + "\", \"size\": " + b.length + ", \"lfs\": {\"sha256\": \"" + sha + "\", \"size\": " + b.length + "}}";
    }

    private void serveHub(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String auth = x.getRequestHeaders().getFirst("Authorization");
        if (path.equals("/api/models/org/private")) {
            send(x, ("Bearer " + TOKEN).equals(auth) ? 200 : 401, listing.getBytes(StandardCharsets.UTF_8), Map.of());
        } else if (path.equals("/api/models/org/model")) {
            send(x, 200, listing.getBytes(StandardCharsets.UTF_8), Map.of("X-Repo-Commit", "0123abcd"));
        } else if (path.startsWith("/org/model/resolve/0123abcd/") || path.startsWith("/org/private/resolve/0123abcd/")) {
            String name = path.substring(path.lastIndexOf('/') + 1);
            x.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/" + name);
            x.getResponseHeaders().add("X-Linked-Size", String.valueOf(files.get(name).length));
            x.sendResponseHeaders(302, -1);
            x.close();
        } else {
            send(x, 404, new byte[0], Map.of());
        }
    }

    private void serveCdn(HttpExchange x) throws IOException {
        if (x.getRequestHeaders().getFirst("Authorization") != null) leakedTokens.incrementAndGet();
        byte[] b = files.get(x.getRequestURI().getPath().substring(5));
        if (b == null) {
            send(x, 404, new byte[0], Map.of());
            return;
        }
        String range = x.getRequestHeaders().getFirst("Range");
        Matcher m = range == null ? null : Pattern.compile("bytes=(\\d+)-(\\d+)").matcher(range);
        if (m != null && m.matches()) {
            int start = Integer.parseInt(m.group(1));
            int end = Math.min(b.length - 1, Integer.parseInt(m.group(2)));
            byte[] part = java.util.Arrays.copyOfRange(b, start, end + 1);
            cdnBytes.addAndGet(part.length);
            send(x, 206, part, Map.of("Content-Range", "bytes " + start + "-" + end + "/" + b.length));
        } else {
            cdnBytes.addAndGet(b.length);
            send(x, 200, b, Map.of());
        }
    }

    private static void send(HttpExchange x, int code, byte[] body, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> x.getResponseHeaders().add(k, v));
        x.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        }
        x.close();
    }

    @Test
    void scansEveryFileReadingOnlyWhatIsNeeded() {
        HubClient client = HubClient.fromEnvironment(Map.of("HF_ENDPOINT", "http://127.0.0.1:" + hub.getAddress().getPort() + "/",
                "HF_TOKEN", TOKEN));
        List<ArtifactResult> results = new RemoteScanner(Scanner.builder().build(), Config.empty(), 1L << 30).scanHub(client, "org/model");
        assertThat(results).hasSize(3);
        ArtifactResult weights = results.get(0);
        assertThat(weights.path()).isEqualTo("hf://org/model@0123abcd/model.safetensors");
        assertThat(weights.format()).isEqualTo("safetensors");
        assertThat(weights.errors()).isEmpty();
        assertThat(results.get(1).verdict()).isEqualTo(Verdict.MALICIOUS);
        assertThat(results.get(2).findings()).anySatisfy(f -> {
            assertThat(f.ruleId()).isEqualTo("hub-lfs-mismatch");
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
        });
        assertThat(cdnBytes.get()).as("bytes fetched for a 40 MiB safetensors file plus two small ones").isLessThan(4L << 20);
        assertThat(leakedTokens.get()).as("token sent to the CDN host").isZero();
    }

    @Test
    void privateRepositoryNeedsTheToken() {
        String ep = "http://127.0.0.1:" + hub.getAddress().getPort();
        RemoteScanner remote = new RemoteScanner(Scanner.builder().build(), Config.empty(), 1L << 30);
        List<ArtifactResult> denied = remote.scanHub(HubClient.fromEnvironment(Map.of("HF_ENDPOINT", ep, "HF_HOME", "/nonexistent")), "org/private");
        assertThat(denied).singleElement().satisfies(r -> assertThat(r.errors().get(0).message()).contains("HF_TOKEN"));
        List<ArtifactResult> ok = remote.scanHub(HubClient.fromEnvironment(Map.of("HF_ENDPOINT", ep, "HF_TOKEN", TOKEN)), "org/private");
        assertThat(ok).hasSize(3);
    }

    @Test
    void singleUrl() {
        URI url = URI.create("http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/pytorch_model.bin");
        ArtifactResult r = new RemoteScanner(Scanner.builder().build(), Config.empty(), 1L << 30).scanUrl(url);
        assertThat(r.verdict()).isEqualTo(Verdict.MALICIOUS);
    }

    private static byte[] safetensors(int dataBytes) {
        byte[] header = ("{\"w\":{\"dtype\":\"U8\",\"shape\":[" + dataBytes + "],\"data_offsets\":[0," + dataBytes + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(header);
        for (int i = header.length; i < padded; i++) b.put((byte) ' ');
        return b.array();
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
