package dev.bootsecrets.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FetchTest {
    /**
     * AWS's shape: a fetch (the key listing) starts many fetches and waits for them, while other
     * fetches run beside it. All of them finish, on no more threads than the bound.
     */
    @Test
    @Timeout(30)
    void fetchesThatWaitOnFetchesFinishOnBoundedThreads() throws Exception {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger running = new AtomicInteger(), most = new AtomicInteger();
        List<Integer> done = Fetch.inParallel("test", () -> 0, executor -> {
            List<Future<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                others.add(executor.submit(() -> leaf(n, threads, running, most)));
            }
            Future<Integer> listing = executor.submit(() -> {
                List<Future<Integer>> keys = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    int n = 100 + i;
                    keys.add(executor.submit(() -> leaf(n, threads, running, most)));
                }
                int sum = 0;
                for (Future<Integer> key : keys) {
                    sum += Fetch.await(key, "test");
                }
                return sum;
            });
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> other : others) {
                results.add(Fetch.await(other, "test"));
            }
            results.add(Fetch.await(listing, "test"));
            return results;
        });
        assertEquals(List.of(0, 1, 2, 3, 4, 50 * 100 + 49 * 50 / 2), done);
        threads.remove(Thread.currentThread());
        assertTrue(threads.size() <= Fetch.PARALLEL, threads.size() + " threads");
        assertTrue(most.get() > 1, "the fetches ran one at a time");
    }

    private static int leaf(int n, Set<Thread> threads, AtomicInteger running, AtomicInteger most) throws InterruptedException {
        threads.add(Thread.currentThread());
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
        Thread.sleep(5);
        running.decrementAndGet();
        return n;
    }
}
