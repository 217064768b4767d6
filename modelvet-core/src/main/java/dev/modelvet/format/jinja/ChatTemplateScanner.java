package dev.modelvet.format.jinja;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.modelvet.detect.Head;
import dev.modelvet.scan.Artifact;
import dev.modelvet.scan.FormatScanner;
import dev.modelvet.scan.ScanContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Chat templates outside GGUF: Hugging Face {@code tokenizer_config.json} / {@code chat_template.json}
 * (a {@code "chat_template"} string, or a list of {@code {name, template}}) and bare Jinja files
 * ({@code chat_template.jinja}). Recognised by content.
 */
public final class ChatTemplateScanner implements FormatScanner {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(16 << 20).build()).build();

    @Override
    public String format() {
        return "chat-template";
    }

    /** The key, found anywhere in a large tokenizer_config.json (it often comes after a long added_tokens_decoder). */
    private static final java.util.regex.Pattern CHAT_TEMPLATE_KEY = java.util.regex.Pattern.compile("\"chat_template\"");
    /**
     * Keys of a Hugging Face tokenizer configuration: such a file is parsed whole, and its keys compared
     * after JSON unescaping ({@code "chat\\u005ftemplate"} is the same key to Python's json).
     */
    private static final java.util.regex.Pattern TOKENIZER_CONFIG = java.util.regex.Pattern.compile(
            "\"(tokenizer_class|added_tokens_decoder|model_max_length|eos_token|bos_token)\"\\s*:");
    private static final long MAX_JSON = 64L << 20;
    /**
     * The tokenizers library's tokenizer.json (often megabytes): nothing reads a chat template from it, so it is
     * not searched past its head (that would cost its whole size on a Hub scan made of range reads).
     */
    private static final java.util.regex.Pattern TOKENIZERS_JSON = java.util.regex.Pattern.compile(
            "\"(normalizer|pre_tokenizer|post_processor|truncation|padding)\"\\s*:");
    private static final java.util.regex.Pattern YAML_CHAT_TEMPLATE = java.util.regex.Pattern.compile(
            "(?m)^\\s*[\"']?chat_template[\"']?\\s*:");
    private static final java.util.regex.Pattern JSON_OBJECT = java.util.regex.Pattern.compile("\\{\\s*(\"|})");

    @Override
    public boolean detect(Head head) {
        if (!head.looksLikeText(4096)) return false;
        String text = new String(head.bytes(), StandardCharsets.UTF_8);
        String trimmed = text.stripLeading();
        if (JSON_OBJECT.matcher(trimmed).lookingAt() && (TOKENIZER_CONFIG.matcher(text).find()
                || !TOKENIZERS_JSON.matcher(text).find() && head.find(CHAT_TEMPLATE_KEY, MAX_JSON))) {
            return true;
        }
        // A YAML serving/model config with a chat_template key: its {{ }} blocks are judged as a template.
        if (!trimmed.startsWith("{") && YAML_CHAT_TEMPLATE.matcher(text).find() && text.contains("{{")) return true;
        return TemplateAnalyzer.looksLikeTemplate(text) && !trimmed.startsWith("{\"")
                && (trimmed.startsWith("{%") || trimmed.startsWith("{{") || TemplateAnalyzer.isChatTemplate(text));
    }

    @Override
    public void scan(Artifact artifact, Head head, ScanContext ctx) throws IOException {
        String start = new String(head.bytes(), StandardCharsets.UTF_8).stripLeading();
        if (!JSON_OBJECT.matcher(start).lookingAt()) {
            byte[] all = artifact.source().readAt(0, (int) Math.min(artifact.size(), 16L << 20));
            ChatTemplates.report(artifact, 0, "template", new String(all, StandardCharsets.UTF_8), ctx);
            return;
        }
        try (InputStream in = artifact.source().openStream(0); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (!name.equals("chat_template")) {
                    p.skipChildren();
                    continue;
                }
                if (v == JsonToken.VALUE_STRING) {
                    ChatTemplates.report(artifact, p.currentTokenLocation().getByteOffset(), "chat_template", p.getText(), ctx);
                } else if (v == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        String tname = "chat_template";
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken fv = p.nextToken();
                            if (f.equals("name") && fv == JsonToken.VALUE_STRING) {
                                tname = "chat_template '" + p.getText() + "'";
                            } else if (f.equals("template") && fv == JsonToken.VALUE_STRING) {
                                ChatTemplates.report(artifact, p.currentTokenLocation().getByteOffset(), tname, p.getText(), ctx);
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            ctx.error(artifact, -1, "limit-json", "tokenizer configuration exceeds a parser limit: " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            ctx.error(artifact, -1, "chat-template-json", "tokenizer configuration is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
