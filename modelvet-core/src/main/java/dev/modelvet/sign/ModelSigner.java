package dev.modelvet.sign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies models in the OpenSSF model signing format (OMS v1.0, the key-based method of
 * model_signing v1.x): manifest of per-file SHA-256, in-toto Statement v1, DSSE envelope, Sigstore
 * bundle JSON, ECDSA P-256/P-384/P-521. An HMAC-SHA256 variant for teams sharing a secret uses the
 * same statement and envelope in a modelvet bundle ({@value #HMAC_MEDIA_TYPE}).
 */
public final class ModelSigner {
    public static final String BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public static final String HMAC_MEDIA_TYPE = "application/vnd.modelvet.hmac-bundle.v1+json";
    static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";
    static final String PREDICATE_TYPE = "https://model_signing/signature/v1.0";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the bundle is signed: an EC key pair, or a shared HMAC secret. */
    public sealed interface Signer permits EcSigner, HmacSigner { }

    public record EcSigner(PrivateKey key, PublicKey publicKeyForHint) implements Signer { }

    public record HmacSigner(byte[] secret) implements Signer { }

    /** What verification checked. */
    public record Verified(String subject, String rootDigest, int files) { }

    private ModelSigner() {
    }

    /** The signature file used when none is named: {@code <dir>/model.sig}, or {@code <file>.sig}. */
    public static Path defaultSignaturePath(Path model) {
        return Files.isDirectory(model) ? model.resolve("model.sig") : model.resolveSibling(model.getFileName() + ".sig");
    }

    public static void sign(Path model, Path signatureFile, Signer signer, List<String> extraIgnores) throws IOException {
        Set<String> ignores = ignores(model, signatureFile, extraIgnores);
        Manifest m = Manifest.of(model, ignores);
        byte[] statement = statement(model, m, ignores);
        byte[] pae = pae(PAYLOAD_TYPE, statement);
        ObjectNode bundle = JSON.createObjectNode();
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("payload", Base64.getEncoder().encodeToString(statement));
        envelope.put("payloadType", PAYLOAD_TYPE);
        ObjectNode sig = envelope.putArray("signatures").addObject();
        try {
            if (signer instanceof EcSigner ec) {
                Signature s = Signature.getInstance(Keys.algorithm(ec.key()));
                s.initSign(ec.key());
                s.update(pae);
                sig.put("sig", Base64.getEncoder().encodeToString(s.sign()));
                sig.put("keyid", "");
                bundle.put("mediaType", BUNDLE_MEDIA_TYPE);
                ObjectNode material = bundle.putObject("verificationMaterial");
                if (ec.publicKeyForHint() != null) material.putObject("publicKey").put("hint", Keys.hint(ec.publicKeyForHint()));
                else material.putObject("publicKey");
                material.putArray("tlogEntries");
            } else if (signer instanceof HmacSigner h) {
                sig.put("sig", Base64.getEncoder().encodeToString(hmac(h.secret(), pae)));
                sig.put("keyid", keyId(h.secret()));
                bundle.put("mediaType", HMAC_MEDIA_TYPE);
                bundle.putObject("verificationMaterial").put("hmacKeyId", keyId(h.secret()));
            }
        } catch (GeneralSecurityException e) {
            throw new SignatureException("signing failed: " + e.getMessage());
        }
        bundle.set("dsseEnvelope", envelope);
        Files.writeString(signatureFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(bundle), StandardCharsets.UTF_8);
    }

    /** Verifies with an EC public key or an HMAC secret; throws naming what does not match. */
    public static Verified verify(Path model, Path signatureFile, PublicKey key, byte[] hmacSecret) throws IOException {
        return verify(model, signatureFile, key, hmacSecret, List.of());
    }

    /**
     * Verifies with an EC public key or an HMAC secret, leaving out {@code extraIgnores} (paths relative
     * to the model folder) as the signer did; throws naming what does not match.
     */
    public static Verified verify(Path model, Path signatureFile, PublicKey key, byte[] hmacSecret, List<String> extraIgnores)
            throws IOException {
        JsonNode bundle;
        try {
            bundle = JSON.readTree(Files.readAllBytes(signatureFile));
        } catch (IOException e) {
            throw new SignatureException(signatureFile + ": not a readable signature bundle (" + e.getMessage() + ")");
        }
        JsonNode env = bundle.path("dsseEnvelope");
        if (!PAYLOAD_TYPE.equals(env.path("payloadType").asText())) throw new SignatureException(signatureFile + ": payloadType is not " + PAYLOAD_TYPE);
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(env.path("payload").asText());
        } catch (IllegalArgumentException e) {
            throw new SignatureException(signatureFile + ": payload is not base64");
        }
        byte[] pae = pae(PAYLOAD_TYPE, payload);
        boolean ok = false;
        for (JsonNode s : env.path("signatures")) {
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(s.path("sig").asText());
            } catch (IllegalArgumentException e) {
                continue;
            }
            ok |= key != null ? ecVerify(key, pae, sig, bundle) : hmacSecret != null && java.security.MessageDigest.isEqual(hmac(hmacSecret, pae), sig);
        }
        if (!ok) throw new SignatureException(signatureFile + ": the signature does not verify with the given key");
        JsonNode st = JSON.readTree(payload);
        if (!PREDICATE_TYPE.equals(st.path("predicateType").asText())) throw new SignatureException("unsupported predicate type " + st.path("predicateType").asText());
        JsonNode pred = st.path("predicate");
        Set<String> ignores = new LinkedHashSet<>();
        pred.path("serialization").path("ignore_paths").forEach(p -> ignores.add(p.asText()));
        ignores.addAll(ignores(model, signatureFile, extraIgnores));
        List<Manifest.Resource> listed = new ArrayList<>();
        for (JsonNode r : pred.path("resources")) listed.add(new Manifest.Resource(r.path("name").asText(), r.path("digest").asText()));
        String root0 = new Manifest(listed).rootDigest();
        if (Files.isRegularFile(model) && listed.size() == 1 && listed.get(0).name().equals(".")) {
            // model_signing 1.0.0 named a single-file model "."; later versions use the file name
            listed = List.of(new Manifest.Resource(model.getFileName().toString(), listed.get(0).digest()));
        }
        String subjectDigest = st.path("subject").path(0).path("digest").path("sha256").asText();
        String root = root0;
        if (!root.equals(subjectDigest) && !singleFileDigestMatches(listed, subjectDigest)) {
            throw new SignatureException("the signed manifest does not hash to the subject digest (tampered statement)");
        }
        Manifest actual = Manifest.of(model, ignores);
        Map<String, String> have = new HashMap<>();
        for (Manifest.Resource r : actual.resources()) have.put(r.name(), r.digest());
        for (Manifest.Resource r : listed) {
            String d = have.remove(r.name());
            if (d == null) throw new SignatureException(r.name() + ": signed file is missing");
            if (!d.equals(r.digest())) throw new SignatureException(r.name() + ": content differs from the signed SHA-256");
        }
        if (!have.isEmpty()) throw new SignatureException(have.keySet().iterator().next() + ": file is not covered by the signature");
        return new Verified(st.path("subject").path(0).path("name").asText(), root, listed.size());
    }

    /** Early single-file statements use the file's own digest as the subject. */
    private static boolean singleFileDigestMatches(List<Manifest.Resource> listed, String subject) {
        return listed.size() == 1 && Manifest.sha256Hex(listed.get(0).digest()).equals(subject);
    }

    private static boolean ecVerify(PublicKey key, byte[] pae, byte[] sig, JsonNode bundle) throws SignatureException {
        String hint = bundle.path("verificationMaterial").path("publicKey").path("hint").asText("");
        if (!hint.isEmpty() && !hint.equals(Keys.hint(key))) return false;
        try {
            Signature s = Signature.getInstance(Keys.algorithm(key));
            s.initVerify(key);
            s.update(pae);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static byte[] statement(Path model, Manifest m, Set<String> ignores) throws IOException {
        ObjectNode st = JSON.createObjectNode();
        st.put("_type", "https://in-toto.io/Statement/v1");
        ObjectNode subject = st.putArray("subject").addObject();
        subject.put("name", model.toAbsolutePath().normalize().getFileName().toString());
        subject.putObject("digest").put("sha256", m.rootDigest());
        st.put("predicateType", PREDICATE_TYPE);
        ObjectNode pred = st.putObject("predicate");
        ObjectNode ser = pred.putObject("serialization");
        ser.put("method", "files");
        ser.put("hash_type", "sha256");
        ser.put("allow_symlinks", false);
        ArrayNode ig = ser.putArray("ignore_paths");
        ignores.forEach(ig::add);
        ArrayNode res = pred.putArray("resources");
        for (Manifest.Resource r : m.resources()) {
            ObjectNode o = res.addObject();
            o.put("name", r.name());
            o.put("algorithm", "sha256");
            o.put("digest", r.digest());
        }
        return JSON.writeValueAsBytes(st);
    }

    /** DSSE pre-authentication encoding. */
    static byte[] pae(String type, byte[] body) {
        byte[] head = ("DSSEv1 " + type.getBytes(StandardCharsets.UTF_8).length + " " + type + " " + body.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    private static Set<String> ignores(Path model, Path signatureFile, List<String> extra) {
        Set<String> s = new LinkedHashSet<>(Manifest.DEFAULT_IGNORES);
        Path dir = Files.isDirectory(model) ? model.toAbsolutePath().normalize() : null;
        Path sig = signatureFile.toAbsolutePath().normalize();
        if (dir != null && sig.startsWith(dir)) s.add(dir.relativize(sig).toString().replace('\\', '/'));
        s.addAll(extra);
        return s;
    }

    private static byte[] hmac(byte[] secret, byte[] data) throws SignatureException {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new SignatureException("HMAC failed: " + e.getMessage());
        }
    }

    private static String keyId(byte[] secret) {
        return java.util.HexFormat.of().formatHex(Manifest.sha256().digest(secret), 0, 8);
    }
}
