package dev.bootsecrets.cloud;

import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.EndpointException;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.http.ResponseTooLargeException;
import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/** One request on the shared client for a provider, its failure as a {@link MetadataException}. */
public final class Fetch {
    private Fetch() {}

    public static Response send(MetadataHttp http, Request request, Deadline deadline) throws MetadataException {
        try {
            return http.send(request, deadline);
        } catch (ResponseTooLargeException e) {
            throw MetadataException.invalid(e.endpoint(), e.reason(), e);
        } catch (EndpointException e) {
            throw new MetadataException(e.endpoint(), e.reason(), e);
        } catch (IOException e) { // interrupted while waiting to retry
            throw new MetadataException(MetadataHttp.endpoint(request.uri()), e.getClass().getSimpleName(), e);
        }
    }

    /** How many requests a provider has in flight at most, besides the threads that start them. */
    static final int PARALLEL = 6;

    /**
     * Threads for a provider's parallel requests. Platform threads, not virtual ones: virtual
     * threads doing socket I/O start the JDK's poller threads, which stay blocked in epoll_wait,
     * and at exit the JVM waits 0.3 s for threads in native code, a third of a boot run. At most
     * {@link #PARALLEL}: a metadata service answers within a millisecond, and each thread costs
     * its start, its stack and its own allocation buffer's pages. A fetch started while all are
     * busy runs on the thread that starts it, so a fetch that waits on fetches it started (AWS's
     * key listing) never waits for a thread.
     */
    static ExecutorService threads() {
        return new ThreadPoolExecutor(0, PARALLEL, 1, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
            Thread thread = new Thread(task, "metadata-fetch");
            thread.setDaemon(true);
            return thread;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /** A provider's fetches, started on {@code executor}'s threads. */
    public interface Parallel<T> {
        T run(ExecutorService executor) throws MetadataException;
    }

    /**
     * The frame of every cloud's gather: {@code work} runs with threads for its parallel
     * fetches, which are stopped when it returns or fails (after a failure the others are not
     * waited for); how many requests it took and how long is logged.
     */
    public static <T> T inParallel(String provider, IntSupplier requests, Parallel<T> work) throws MetadataException {
        long start = System.nanoTime();
        ExecutorService executor = threads();
        try {
            T result = work.run(executor);
            Log.info(provider + ": " + requests.getAsInt() + " requests in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            return result;
        } finally {
            executor.shutdownNow();
        }
    }

    /** The value of a fetch run in parallel; a {@link MetadataException} it threw is passed on as is. */
    public static <T> T await(Future<T> future, String provider) throws MetadataException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MetadataException m) {
                throw m;
            }
            throw new IllegalStateException(provider + ": metadata fetch failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataException(provider, "interrupted while reading metadata", e);
        }
    }
}
