package dev.bootsecrets.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;

/** gzip with a bound on what it inflates to, so a small bomb cannot fill memory. */
final class Gzip {
    private Gzip() {}

    static boolean is(byte[] data) {
        return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
    }

    /**
     * At most {@code limit + 1} inflated bytes: more than {@code limit} tells the caller it is too big.
     *
     * @param what names the data in errors ({@code user-data}, {@code user-data: write_files[0].content})
     */
    static byte[] inflate(byte[] data, int limit, String what) throws ConfigException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readNBytes(limit + 1);
        } catch (IOException e) {
            throw new ConfigException(what + ": not valid gzip data");
        }
    }
}
