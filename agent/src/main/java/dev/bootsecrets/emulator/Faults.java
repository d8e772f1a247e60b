package dev.bootsecrets.emulator;

import java.time.Duration;

/**
 * Trouble the emulator makes on purpose, changeable while it runs: what a metadata service
 * does to an agent early in boot (slow, failing, dropping connections, expiring tokens).
 */
public final class Faults {
    enum Outcome { SERVE, FAIL, DROP }

    /** What to do with one request, decided when it arrives. */
    record Decision(Duration delay, Outcome outcome) {}

    private Duration delay;
    private int fail;
    private int drop;
    private int expireAfter = -1;
    private long tokenEpoch;

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
        fail = nonNegative(requests);
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

    /** Back to a well-behaved service (tokens already expired stay expired). */
    public synchronized void clear() {
        delay = Duration.ZERO;
        fail = 0;
        drop = 0;
        expireAfter = -1;
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
            return new Decision(delay, Outcome.DROP);
        }
        if (fail > 0) {
            fail--;
            return new Decision(delay, Outcome.FAIL);
        }
        return new Decision(delay, Outcome.SERVE);
    }

    private static int nonNegative(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        return n;
    }
}
