package dev.bootsecrets.config;

/**
 * How many bytes user-data may still decode to, all of it together: the documents, MIME
 * parts, gzip and encoded write_files contents. Many small parts each under the limit
 * must not add up to more than the limit ({@code userData.maxBytes}).
 */
final class Budget {
    private final int limit;
    private long used;

    private Budget(int limit) {
        this.limit = limit;
    }

    static Budget of(int limit) {
        return new Budget(limit);
    }

    /** For config files, whose size each file's own bound keeps. */
    static Budget unlimited() {
        return new Budget(Integer.MAX_VALUE - 1);
    }

    /** Whether the limit has been passed (and reported): nothing more is decoded. */
    boolean exhausted() {
        return used > limit;
    }

    /** Counts {@code bytes} decoded for {@code what}; over the limit is an error that ends the read. */
    void charge(long bytes, String what) throws ConfigException {
        used += bytes;
        if (exhausted()) {
            throw new ConfigException(what + ": decodes to more than " + limit
                    + " bytes in all (userData.maxBytes counts the documents, MIME parts and encoded write_files"
                    + " contents together)");
        }
    }

    /** gzip data inflated and counted, never inflating past what is left. */
    byte[] inflate(byte[] gz, String what) throws ConfigException {
        byte[] out = Gzip.inflate(gz, (int) Math.max(0, limit - used), what);
        charge(out.length, what);
        return out;
    }
}
