package dev.modelvet.remote;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Recognises what users paste: a Hub page ({@code https://huggingface.co/owner/repo}, {@code .../tree/REV}),
 * a file page ({@code .../blob/REV/path}, whose bytes are an HTML page, not the model) or download
 * ({@code .../resolve/REV/path}), and {@code hf://owner/repo[@REV][/path]}. A page becomes a repository
 * scan; a file becomes its {@code resolve} URL, so the model's bytes are scanned rather than the page.
 */
public final class HubUrls {
    /** Exactly one of {@code repoSpec} ("owner/repo[@rev]") and {@code fileUrl} is set. */
    public record Target(String repoSpec, URI fileUrl) { }

    private HubUrls() {
    }

    /** The Hub target {@code text} names on the Hub at {@code endpoint} (or huggingface.co), if it names one. */
    public static Optional<Target> parse(String text, String endpoint) {
        String base = endpoint.replaceAll("/+$", "");
        if (text.startsWith("hf://")) return fromSegments(split(text.substring(5)), base, true);
        if (!text.startsWith("https://") && !text.startsWith("http://")) return Optional.empty();
        URI u;
        try {
            u = URI.create(text);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String host = u.getHost() == null ? "" : u.getHost();
        URI ep = URI.create(base);
        boolean hub = host.equals("huggingface.co") || host.equals("www.huggingface.co")
                || (host.equals(ep.getHost()) && u.getPort() == ep.getPort());
        if (!hub || u.getPath() == null) return Optional.empty();
        String root = host.endsWith("huggingface.co") ? "https://huggingface.co" : base;
        return fromSegments(split(u.getPath()), root, false);
    }

    private static Optional<Target> fromSegments(List<String> s, String base, boolean hfScheme) {
        if (s.isEmpty() || s.get(0).equals("datasets") || s.get(0).equals("spaces") || s.get(0).equals("api")) return Optional.empty();
        if (s.size() < 2) return Optional.empty();
        String owner = s.get(0);
        String repo = s.get(1);
        String rev = "main";
        int at = repo.indexOf('@');
        if (hfScheme && at > 0) {
            rev = repo.substring(at + 1);
            repo = repo.substring(0, at);
        }
        if (hfScheme) {
            if (s.size() == 2) return Optional.of(new Target(owner + "/" + repo + (rev.equals("main") ? "" : "@" + rev), null));
            return Optional.of(new Target(null, URI.create(base + "/" + owner + "/" + repo + "/resolve/" + rev + "/" + String.join("/", s.subList(2, s.size())))));
        }
        if (s.size() == 2) return Optional.of(new Target(owner + "/" + repo, null));
        String kind = s.get(2);
        if (kind.equals("tree") && s.size() == 4) return Optional.of(new Target(owner + "/" + repo + "@" + s.get(3), null));
        if ((kind.equals("blob") || kind.equals("resolve")) && s.size() >= 5) {
            return Optional.of(new Target(null, URI.create(base + "/" + owner + "/" + repo + "/resolve/" + s.get(3) + "/"
                    + String.join("/", s.subList(4, s.size())))));
        }
        return Optional.empty();
    }

    private static List<String> split(String path) {
        return Arrays.stream(path.split("/")).filter(x -> !x.isEmpty()).toList();
    }
}
