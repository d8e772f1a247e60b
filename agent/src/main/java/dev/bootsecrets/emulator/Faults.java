package dev.bootsecrets.emulator;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Trouble the emulator makes on purpose, changeable while it runs: what a metadata service
 * does to an agent early in boot (slow, failing, dropping connections, expiring tokens).
 */
public final class Faults {
    enum Outcome { SERVE, FAIL, DROP }

    /**
     * What to do with one request, decided when it arrives; {@code status} is a failure's, and
     * {@code retryAfter} the Retry-After header it carries, if any.
     */
    record Decision(Duration delay, Outcome outcome, int status, Optional<String> retryAfter) {}

    /** How the answer to one path goes wrong on the wire, once the service has decided to answer. */
    public sealed interface Wire {
        /** The status line, then an informational (102) header block every {@code pause}, never the answer. */
        record HeaderTrickle(Duration pause) implements Wire {}

        /** The headers, then the body one byte every {@code pause}. */
        record BodyTrickle(Duration pause) implements Wire {}

        /** A body of {@code bytes} bytes instead of the answer, with or without a Content-Length. */
        record Huge(long bytes, boolean announced) implements Wire {}

        /** A Content-Length of the whole answer, half of it, then the connection closed. */
        record Truncated() implements Wire {}

        /** 302 to {@code location} (elsewhere: another port, another host). */
        record Redirect(URI location) implements Wire {}
    }

    private Duration delay;
    private int fail;
    private int failStatus = 503;
    private Optional<String> retryAfter = Optional.empty();
    private int drop;
    private int expireAfter = -1;
    private long tokenEpoch;
    private Optional<Duration> tokenTtl = Optional.empty();
    private final Map<String, Wire> wire = new HashMap<>();

    Faults(Scenario.FaultDefaults defaults) {
        delay = defaults.delay();
        fail = defaults.fail();
        drop = defaults.drop();
    }

    /** Waits this long before every response (zero for none). */
    public synchronized void delay(Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        delay = value;
    }

    /** The next {@code requests} requests answer 503. */
    public synchronized void failNext(int requests) {
        failNext(requests, 503);
    }

    /** The next {@code requests} requests answer {@code status}: 500, 503, 429 (too many requests). */
    public synchronized void failNext(int requests, int status) {
        failNext(requests, status, Optional.empty());
    }

    /**
     * The next {@code requests} requests answer {@code status} with a Retry-After of
     * {@code retryAfter} (seconds, or an HTTP date), when given.
     */
    public synchronized void failNext(int requests, int status, Optional<String> retryAfter) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a failure's status is 4xx or 5xx");
        }
        fail = nonNegative(requests);
        failStatus = status;
        this.retryAfter = retryAfter;
    }

    /** The next {@code requests} requests get their connection closed without any response. */
    public synchronized void dropNext(int requests) {
        drop = nonNegative(requests);
    }

    /** Every token issued so far stops working now. */
    public synchronized void expireTokens() {
        tokenEpoch++;
        expireAfter = -1;
    }

    /** Every token issued so far stops working once {@code requests} more requests have arrived. */
    public synchronized void expireTokensAfter(int requests) {
        expireAfter = nonNegative(requests);
    }

    /** Every token issued from now on lives {@code ttl}, whatever the agent asked for. */
    public synchronized void tokenTtl(Duration ttl) {
        tokenTtl = Optional.of(ttl);
    }

    /** Answers to {@code path} (exact, e.g. /latest/user-data) go wrong on the wire this way. */
    public synchronized void wire(String path, Wire fault) {
        wire.put(path, fault);
    }

    /** Back to a well-behaved service (tokens already expired stay expired). */
    public synchronized void clear() {
        delay = Duration.ZERO;
        fail = 0;
        failStatus = 503;
        retryAfter = Optional.empty();
        drop = 0;
        expireAfter = -1;
        tokenTtl = Optional.empty();
        wire.clear();
    }

    synchronized Optional<Duration> tokenTtl() {
        return tokenTtl;
    }

    synchronized Optional<Wire> wire(String path) {
        return Optional.ofNullable(wire.get(path));
    }

    /** Tokens are valid only within the epoch they were issued in. */
    synchronized long tokenEpoch() {
        return tokenEpoch;
    }

    /** Called once per request as it arrives; drops are used up before failures. */
    synchronized Decision next() {
        if (expireAfter == 0) {
            tokenEpoch++;
        }
        if (expireAfter >= 0) {
            expireAfter--;
        }
        if (drop > 0) {
            drop--;
            return new Decision(delay, Outcome.DROP, 0, Optional.empty());
        }
        if (fail > 0) {
            fail--;
            return new Decision(delay, Outcome.FAIL, failStatus, retryAfter);
        }
        return new Decision(delay, Outcome.SERVE, 0, Optional.empty());
    }

    private static int nonNegative(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        return n;
    }
}
