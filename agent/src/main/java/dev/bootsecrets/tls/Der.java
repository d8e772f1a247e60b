package dev.bootsecrets.tls;

import java.io.ByteArrayOutputStream;

/**
 * The few DER encodings a certificate request needs (ITU-T X.690): a value with its tag and
 * definite length. The agent's one ASN.1 writer; parsing stays with the JDK.
 */
public final class Der {
    public static final int INTEGER = 0x02;
    public static final int BIT_STRING = 0x03;
    public static final int OID = 0x06;
    public static final int SEQUENCE = 0x30;
    /** [0] constructed, context-specific: PKCS#10's attributes. */
    public static final int CONTEXT_0 = 0xA0;

    private Der() {}

    /** {@code tag}, the length of the parts together, then the parts. */
    public static byte[] of(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.size();
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
                out.write(length >>> shift);
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    /** A BIT STRING of whole bytes (no unused bits). */
    public static byte[] bitString(byte[] bytes) {
        return of(BIT_STRING, new byte[] {0}, bytes);
    }
}
