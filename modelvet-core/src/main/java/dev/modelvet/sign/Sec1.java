package dev.modelvet.sign;

import java.io.ByteArrayOutputStream;

/**
 * Rewraps a SEC1 {@code ECPrivateKey} (RFC 5915, what {@code openssl ecparam -genkey} writes) as the
 * PKCS#8 {@code PrivateKeyInfo} that the JDK's KeyFactory reads. Only DER lengths and tags are read;
 * the key bytes themselves are left to the JDK to validate.
 */
final class Sec1 {
    /** 1.2.840.10045.2.1 id-ecPublicKey, as a DER OID. */
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private Sec1() {
    }

    /** True when {@code der} starts like ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING ... }. */
    static boolean looksLikeSec1(byte[] der) {
        return der.length > 7 && der[0] == 0x30 && startsAt(der, headerLength(der, 0), new byte[] {0x02, 0x01, 0x01, 0x04});
    }

    /** The PKCS#8 encoding of a SEC1 key whose [0] parameters name its curve. */
    static byte[] toPkcs8(byte[] sec1) throws SignatureException {
        int pos = headerLength(sec1, 0);
        int end = pos + contentLength(sec1, 0);
        if (end != sec1.length) throw new SignatureException("SEC1 key: DER length does not match the data");
        byte[] curve = null;
        while (pos < end) {
            int tag = sec1[pos] & 0xff;
            int next = headerLength(sec1, pos) + contentLength(sec1, pos);
            if (next > end) throw new SignatureException("SEC1 key: truncated DER element");
            if (tag == 0xa0) curve = java.util.Arrays.copyOfRange(sec1, headerLength(sec1, pos), next);
            pos = next;
        }
        if (curve == null) throw new SignatureException("SEC1 key without its curve parameters; write it with 'openssl ec -param_out' or as PKCS#8");
        if (curve[0] != 0x06) throw new SignatureException("SEC1 key with explicit curve parameters; use a named curve (P-256, P-384, P-521)");
        byte[] algorithm = tlv(0x30, concat(EC_PUBLIC_KEY_OID, curve));
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, sec1)));
    }

    /** Offset just past the tag and length octets of the element at {@code pos}. */
    private static int headerLength(byte[] der, int pos) {
        if (pos + 1 >= der.length) return der.length;
        int first = der[pos + 1] & 0xff;
        return first < 0x80 ? pos + 2 : pos + 2 + (first & 0x7f);
    }

    private static int contentLength(byte[] der, int pos) throws SignatureException {
        if (pos + 1 >= der.length) throw new SignatureException("SEC1 key: truncated DER");
        int first = der[pos + 1] & 0xff;
        if (first < 0x80) return first;
        int n = first & 0x7f;
        if (n == 0 || n > 3 || pos + 2 + n > der.length) throw new SignatureException("SEC1 key: bad DER length");
        int len = 0;
        for (int i = 0; i < n; i++) len = (len << 8) | (der[pos + 2 + i] & 0xff);
        return len;
    }

    private static boolean startsAt(byte[] a, int pos, byte[] prefix) {
        if (pos + prefix.length > a.length) return false;
        for (int i = 0; i < prefix.length; i++) if (a[pos + i] != prefix[i]) return false;
        return true;
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
