package dev.modelvet.sign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** EC keys in PEM or DER (SubjectPublicKeyInfo; PKCS#8 or SEC1), the curves OMS allows, and the key hint. */
public final class Keys {
    private Keys() {
    }

    /** An EC public key: SubjectPublicKeyInfo in PEM ({@code BEGIN PUBLIC KEY}) or DER. */
    public static PublicKey publicKey(Path file) throws IOException {
        byte[] der = der(file, "PUBLIC KEY");
        try {
            PublicKey k = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            curve(k);
            return k;
        } catch (GeneralSecurityException e) {
            throw new SignatureException(file + ": not an EC public key (" + e.getMessage() + ")");
        }
    }

    /**
     * An EC private key in PKCS#8 or SEC1 ({@code openssl ecparam -genkey}, {@code BEGIN EC PRIVATE KEY}),
     * PEM or DER. A PEM file may also hold the {@code EC PARAMETERS} block openssl writes first.
     */
    public static PrivateKey privateKey(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        String text = new String(raw, StandardCharsets.US_ASCII);
        if (text.contains("ENCRYPTED") || text.contains("Proc-Type: 4,")) {
            throw new SignatureException(file + ": encrypted private key; decrypt it first (openssl pkcs8 -topk8 -nocrypt)");
        }
        byte[] der = text.contains("-----BEGIN EC PRIVATE KEY-----") ? body(text, "EC PRIVATE KEY", file)
                : text.contains("-----BEGIN ") ? body(text, "PRIVATE KEY", file) : raw;
        String form = Sec1.looksLikeSec1(der) ? "SEC1" : "PKCS#8";
        try {
            if (form.equals("SEC1")) der = Sec1.toPkcs8(der);
            PrivateKey k = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            curve(k);
            return k;
        } catch (SignatureException e) {
            throw new SignatureException(file + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new SignatureException(file + ": not an EC private key in " + form + " (" + e.getMessage() + ")");
        }
    }

    /** The DER bytes of a PEM block with {@code label}, or the file itself when it is not PEM. */
    private static byte[] der(Path file, String label) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        String text = new String(raw, StandardCharsets.US_ASCII);
        return text.contains("-----BEGIN ") ? body(text, label, file) : raw;
    }

    /** The signature algorithm for the key's curve: P-256/SHA-256, P-384/SHA-384, P-521/SHA-512. */
    static String algorithm(java.security.Key key) throws SignatureException {
        return switch (curve(key)) {
            case 256 -> "SHA256withECDSA";
            case 384 -> "SHA384withECDSA";
            default -> "SHA512withECDSA";
        };
    }

    static int curve(java.security.Key key) throws SignatureException {
        if (!(key instanceof ECKey ec)) throw new SignatureException("only ECDSA keys are supported by the OMS key method");
        int bits = ec.getParams().getCurve().getField().getFieldSize();
        String name = switch (bits) {
            case 256 -> "secp256r1";
            case 384 -> "secp384r1";
            case 521 -> "secp521r1";
            default -> null;
        };
        // The size alone would let secp256k1 (or any explicit 256-bit curve) pass as P-256.
        if (name == null || !sameCurve(ec.getParams(), name)) {
            throw new SignatureException("curve of " + bits + " bits is not one OMS allows (P-256, P-384, P-521)");
        }
        return bits;
    }

    private static boolean sameCurve(java.security.spec.ECParameterSpec params, String name) {
        try {
            java.security.AlgorithmParameters ap = java.security.AlgorithmParameters.getInstance("EC");
            ap.init(new java.security.spec.ECGenParameterSpec(name));
            java.security.spec.ECParameterSpec named = ap.getParameterSpec(java.security.spec.ECParameterSpec.class);
            return named.getCurve().equals(params.getCurve()) && named.getOrder().equals(params.getOrder())
                    && named.getGenerator().equals(params.getGenerator());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** PEM text of a public key as Python's cryptography writes it (64-character lines). */
    public static String pem(PublicKey key) {
        String b64 = Base64.getEncoder().encodeToString(key.getEncoded());
        StringBuilder sb = new StringBuilder("-----BEGIN PUBLIC KEY-----\n");
        for (int i = 0; i < b64.length(); i += 64) sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
        return sb.append("-----END PUBLIC KEY-----\n").toString();
    }

    /** The bundle's key hint: hex SHA-256 of the PEM text. */
    public static String hint(PublicKey key) {
        return java.util.HexFormat.of().formatHex(Manifest.sha256().digest(pem(key).getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] body(String text, String label, Path file) throws SignatureException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) throw new SignatureException(file + ": no '" + begin + "' block");
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new SignatureException(file + ": PEM body is not base64");
        }
    }
}
