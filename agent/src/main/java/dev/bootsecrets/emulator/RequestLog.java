package dev.bootsecrets.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Every request the emulator received, in arrival order, so tests and benchmarks can count them. */
public final class RequestLog {

    /**
     * @param path    the path without its query
     * @param status  the status answered, or {@link #DROPPED}
     * @param headers the names (lower case) of the request's headers; never their values
     */
    public record Entry(String method, String path, int status, Set<String> headers) {
        public Entry {
            headers = Set.copyOf(headers);
        }
    }

    /** The status of a request whose connection was closed without a response. */
    public static final int DROPPED = 0;

    private final List<Entry> entries = new ArrayList<>();

    synchronized void add(Entry entry) {
        entries.add(entry);
    }

    public synchronized int count() {
        return entries.size();
    }

    public synchronized List<Entry> requests() {
        return List.copyOf(entries);
    }

    public synchronized void clear() {
        entries.clear();
    }
}
