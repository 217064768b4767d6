package dev.modelvet.remote;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HubUrlsTest {
    private static final String HF = "https://huggingface.co";

    @Test
    void pagesBecomeRepositoryScansAndFilePagesTheirDownload() {
        assertThat(HubUrls.parse("https://huggingface.co/owner/repo", HF)).contains(new HubUrls.Target("owner/repo", null));
        assertThat(HubUrls.parse("https://huggingface.co/owner/repo/", HF)).contains(new HubUrls.Target("owner/repo", null));
        assertThat(HubUrls.parse("https://huggingface.co/owner/repo/tree/v1", HF)).contains(new HubUrls.Target("owner/repo@v1", null));
        assertThat(HubUrls.parse("https://huggingface.co/owner/repo/blob/main/sub/x.bin", HF).orElseThrow().fileUrl())
                .hasToString("https://huggingface.co/owner/repo/resolve/main/sub/x.bin");
        assertThat(HubUrls.parse("https://huggingface.co/owner/repo/resolve/abc123/x.bin?download=true", HF).orElseThrow().fileUrl())
                .hasToString("https://huggingface.co/owner/repo/resolve/abc123/x.bin");
        assertThat(HubUrls.parse("hf://owner/repo", HF)).contains(new HubUrls.Target("owner/repo", null));
        assertThat(HubUrls.parse("hf://owner/repo@dev", HF)).contains(new HubUrls.Target("owner/repo@dev", null));
        assertThat(HubUrls.parse("hf://owner/repo/a/b.pt", HF).orElseThrow().fileUrl())
                .hasToString("https://huggingface.co/owner/repo/resolve/main/a/b.pt");
        // a mirror named by HF_ENDPOINT is recognised too
        assertThat(HubUrls.parse("http://127.0.0.1:8080/o/r/blob/main/m.pkl", "http://127.0.0.1:8080/").orElseThrow().fileUrl())
                .hasToString("http://127.0.0.1:8080/o/r/resolve/main/m.pkl");
    }

    @Test
    void otherUrlsAreLeftAlone() {
        assertThat(HubUrls.parse("https://example.com/owner/repo", HF)).isEmpty();
        assertThat(HubUrls.parse("https://huggingface.co/owner", HF)).isEmpty();
        assertThat(HubUrls.parse("https://huggingface.co/datasets/o/r", HF)).isEmpty();
        assertThat(HubUrls.parse("models/owner/repo", HF)).isEmpty();
    }
}
