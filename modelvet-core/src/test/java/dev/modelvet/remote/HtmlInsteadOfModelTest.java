package dev.modelvet.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.modelvet.config.Config;
import dev.modelvet.scan.ArtifactResult;
import dev.modelvet.scan.Scanner;
import dev.modelvet.scan.Verdict;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A URL answering with a web page where a model was expected is an error, never CLEAN. */
class HtmlInsteadOfModelTest {
    @Test
    void htmlPagesAreErrorsAndPlainTextStaysSkipped() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serve(server, "/page", "\n  <!DOCTYPE html><html><head><title>owner/repo</title></head><body>model card</body></html>");
        serve(server, "/upper", "<HTML><BODY>Login required</BODY></HTML>");
        serve(server, "/notes.txt", "just some notes, not a page\n");
        server.start();
        try {
            RemoteScanner remote = new RemoteScanner(Scanner.builder().build(), Config.empty(), 1 << 20);
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            for (String p : new String[] {"/page", "/upper"}) {
                ArtifactResult r = remote.scanUrl(URI.create(base + p));
                assertThat(r.verdict()).as(p).isEqualTo(Verdict.ERROR);
                assertThat(r.errors().get(0).code()).isEqualTo("remote-html");
            }
            ArtifactResult text = remote.scanUrl(URI.create(base + "/notes.txt"));
            assertThat(text.verdict()).isNotEqualTo(Verdict.ERROR);
        } finally {
            server.stop(0);
        }
    }

    private static void serve(HttpServer server, String path, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        server.createContext(path, ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/html");
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().add("Content-Length", String.valueOf(b.length));
                ex.sendResponseHeaders(200, -1);
            } else {
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
    }
}
