package dev.bootsecrets.http;

import java.time.Duration;

/** One point in time by which a whole stage (the gather, a join) must be done. */
public record Deadline(long atNanos) {

    public static Deadline in(Duration duration) {
        return new Deadline(System.nanoTime() + duration.toNanos());
    }

    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, atNanos - System.nanoTime()));
    }

    public boolean expired() {
        return System.nanoTime() - atNanos >= 0;
    }
}
