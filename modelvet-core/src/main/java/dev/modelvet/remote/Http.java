package dev.modelvet.remote;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * HTTP GETs with redirects followed by hand: at most {@link #MAX_REDIRECTS}, only to http(s), and
 * the Authorization header is dropped when a redirect leaves the original host (a Hub token must
 * never reach a CDN or a third party).
 */
final class Http {
    static final int MAX_REDIRECTS = 8;
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(20)).build();
    private final String token;

    Http(String token) {
        this.token = token;
    }

    /** The response to a GET of {@code url} after redirects, with the given extra headers. */
    HttpResponse<InputStream> get(URI url, Map<String, String> headers) throws IOException {
        URI current = url;
        for (int i = 0; i <= MAX_REDIRECTS; i++) {
            String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) throw new IOException("refusing to follow a redirect to " + scheme + ": URL");
            HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(Duration.ofMinutes(2)).GET()
                    .header("User-Agent", "modelvet/0.1").header("Accept-Encoding", "identity");
            headers.forEach(b::header);
            if (token != null && sameOrigin(url, current)) b.header("Authorization", "Bearer " + token);
            HttpResponse<InputStream> r;
            try {
                r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            int code = r.statusCode();
            if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
                String loc = r.headers().firstValue("Location").orElseThrow(() -> new IOException("redirect without Location from " + url));
                r.body().close();
                current = current.resolve(loc);
                continue;
            }
            return r;
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + url);
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort()
                && String.valueOf(a.getScheme()).equalsIgnoreCase(String.valueOf(b.getScheme()));
    }
}
