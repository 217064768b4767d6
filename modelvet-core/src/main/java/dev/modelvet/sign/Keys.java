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

/** EC keys in PEM (SubjectPublicKeyInfo and PKCS#8), the curves OMS allows, and the key hint. */
public final class Keys {
    private Keys() {
    }

    public static PublicKey publicKey(Path pem) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        byte[] der = body(text, "PUBLIC KEY", pem);
        try {
            PublicKey k = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            curve(k);
            return k;
        } catch (GeneralSecurityException e) {
            throw new SignatureException(pem + ": not an EC public key (" + e.getMessage() + ")");
        }
    }

    public static PrivateKey privateKey(Path pem) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        if (text.contains("BEGIN EC PRIVATE KEY")) {
            throw new SignatureException(pem + ": SEC1 key; convert it with 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem'");
        }
        byte[] der = body(text, "PRIVATE KEY", pem);
        try {
            PrivateKey k = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            curve(k);
            return k;
        } catch (GeneralSecurityException e) {
            throw new SignatureException(pem + ": not an EC private key in PKCS#8 (" + e.getMessage() + ")");
        }
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
        if (bits != 256 && bits != 384 && bits != 521) throw new SignatureException("curve of " + bits + " bits: OMS allows P-256, P-384, P-521");
        return bits;
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
