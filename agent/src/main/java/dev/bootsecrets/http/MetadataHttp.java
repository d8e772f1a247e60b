package dev.bootsecrets.http;

import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.HttpsSupport;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * One pooled HTTP client shared by all requests of a run (or of a join), safe for parallel
 * use. Early in boot the network may not be up yet, so {@link #send} keeps trying until the
 * deadline instead of failing on the first refused connection.
 */
public final class MetadataHttp implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    private static final Duration NOTICE_INTERVAL = Duration.ofSeconds(5);
    static final String TOO_SLOW = "too slow: the response had not arrived whole at the deadline";
    /** Ends exchanges still running at their deadline; one daemon thread for every client. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "http-deadline");
        thread.setDaemon(true);
        return thread;
    });

    private final CloseableHttpClient client;
    /** When the next "waiting for" notice may be logged (System.nanoTime), shared by all requests. */
    private final AtomicLong nextNotice = new AtomicLong(System.nanoTime());

    private MetadataHttp(CloseableHttpClient client) {
        this.client = client;
    }

    /** A client for metadata services, which speak plain HTTP: https:// URLs are refused. */
    public static MetadataHttp create() {
        // Without a strategy of its own the client builds the default TLS context at start,
        // a third of a boot run's time.
        return build((socket, target, port, attachment, context) -> {
            throw new SSLException("TLS is not used for metadata services (" + target + ")");
        });
    }

    /**
     * A client for HTTPS services (a join service, Vault) with the same retries, deadline and
     * limits: it trusts only what {@code context} trusts, checks the server's name against its
     * certificate, and shows {@code context}'s client certificate if it has one (mutual TLS).
     * Plain http:// URLs still work; whether they are allowed is the caller's decision.
     */
    public static MetadataHttp tls(SSLContext context) {
        return build(new DefaultClientTlsStrategy(
                context, HostnameVerificationPolicy.BOTH, HttpsSupport.getDefaultHostnameVerifier()));
    }

    private static MetadataHttp build(TlsSocketStrategy tls) {
        var connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(tls)
                .setMaxConnPerRoute(16)
                .setMaxConnTotal(32)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(timeout(CONNECT_TIMEOUT))
                        .setSocketTimeout(timeout(RESPONSE_TIMEOUT))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                        .build())
                .build();
        // Retries, redirects and content decoding are ours to decide (or refuse): user-data
        // must arrive as served, and no environment proxy may sit in front of the service.
        var client = HttpClients.custom()
                .setConnectionManager(connections)
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("bootsecrets")
                .build();
        return new MetadataHttp(client);
    }

    /**
     * Sends one request, retrying refused, timed-out and dropped connections, 5xx answers and
     * 429 (too many requests) with exponential backoff and jitter until {@code deadline}. A 429
     * or 503 with Retry-After is asked again after that wait, when it ends before the deadline.
     * Any other status (other 4xx too) is returned as is.
     *
     * @throws MetadataUnavailableException when the deadline passes first, or the server asks
     *                                      for a wait that would end past it
     * @throws EndpointException            when the body is over the request's limit, or the
     *                                      failure is not one that waiting could cure
     */
    public Response send(Request request, Deadline deadline) throws IOException {
        String endpoint = endpoint(request.uri());
        String lastFailure = "deadline already passed";
        for (int attempt = 0; !deadline.expired(); attempt++) {
            try {
                Response response = attempt(request, deadline, endpoint);
                if (response.status() < 500 && response.status() != 429) {
                    return response;
                }
                lastFailure = "HTTP " + response.status();
                Optional<Duration> asked = RetryAfter.of(response, Instant.now());
                if (asked.isPresent()) {
                    honour(asked.get(), response.status(), endpoint, deadline, attempt);
                    continue;
                }
            } catch (EndpointException e) {
                throw e;
            } catch (IOException e) {
                if (deadline.expired()) { // the watchdog ended a response still arriving
                    throw MetadataUnavailableException.atDeadline(endpoint, TOO_SLOW);
                }
                if (!isTransient(e)) {
                    throw new EndpointException(endpoint, describe(e), e);
                }
                lastFailure = describe(e);
            }
            noticeWaiting(endpoint, lastFailure, deadline);
            pause(backoff(attempt), deadline);
        }
        throw MetadataUnavailableException.atDeadline(endpoint, lastFailure);
    }

    /**
     * Waits as long as a 429 or 503 asked (at least the usual backoff), or fails at once when
     * that wait would end past the deadline: waiting could not help, and the server said so.
     */
    private void honour(Duration asked, int status, String endpoint, Deadline deadline, int attempt)
            throws IOException {
        Duration left = deadline.remaining();
        if (asked.compareTo(left) > 0) {
            throw MetadataUnavailableException.retryAfter(endpoint, status, RetryAfter.seconds(asked), RetryAfter.seconds(left));
        }
        noticeWaiting(endpoint, "HTTP " + status + ", asked to retry after " + RetryAfter.seconds(asked) + " s", deadline);
        Duration backoff = backoff(attempt);
        pause(asked.compareTo(backoff) > 0 ? asked : backoff, deadline);
    }

    @SuppressWarnings("deprecation") // RequestConfig's connect timeout is the only per-request one
    private Response attempt(Request request, Deadline deadline, String endpoint) throws IOException {
        Duration left = deadline.remaining();
        var message = new HttpUriRequestBase(request.method(), request.uri());
        request.headers().forEach(message::addHeader);
        if (request.body() != null) {
            message.setEntity(new ByteArrayEntity(request.body(), null));
        }
        message.setConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(timeout(left))
                .setConnectTimeout(timeout(min(CONNECT_TIMEOUT, left)))
                .setResponseTimeout(timeout(min(RESPONSE_TIMEOUT, left)))
                .build());
        // Socket timeouts bound each read, not the response: a server trickling a byte a second
        // would never trip them. The watchdog aborts the exchange at the deadline, mid-header or
        // mid-body, which closes the socket under the blocked read.
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(message::cancel, left.toNanos(), TimeUnit.NANOSECONDS);
        try (ClassicHttpResponse response = open(message)) {
            try {
                return read(response, request.maxBytes(), endpoint);
            } catch (IOException | RuntimeException e) {
                message.cancel(); // drop the connection: closing would drain the rest of the body
                throw e;
            }
        } finally {
            watchdog.cancel(false);
        }
    }

    /**
     * Starts the exchange. When the watchdog fires while HttpClient is still setting up the
     * connection, HttpClient throws IllegalStateException (or, between leasing a connection and
     * connecting it, NullPointerException "Connection") rather than an I/O error; it is the same
     * deadline, so it takes the same way out.
     */
    private ClassicHttpResponse open(HttpUriRequestBase message) throws IOException {
        try {
            return client.executeOpen(null, message, null);
        } catch (IllegalStateException | NullPointerException e) {
            if (message.isCancelled()) {
                throw new InterruptedIOException("request aborted at the deadline");
            }
            throw e;
        }
    }

    private static Response read(ClassicHttpResponse response, int maxBytes, String endpoint) throws IOException {
        Map<String, String> headers = new TreeMap<>();
        for (Header header : response.getHeaders()) {
            headers.merge(header.getName().toLowerCase(Locale.ROOT), header.getValue(), (a, b) -> a + ", " + b);
        }
        HttpEntity entity = response.getEntity();
        byte[] body = new byte[0];
        if (entity != null) {
            if (entity.getContentLength() > maxBytes) {
                throw tooLarge(endpoint, maxBytes);
            }
            InputStream in = entity.getContent();
            body = in.readNBytes(maxBytes == Integer.MAX_VALUE ? maxBytes : maxBytes + 1);
            if (body.length > maxBytes) {
                throw tooLarge(endpoint, maxBytes);
            }
        }
        return new Response(response.getCode(), headers, body);
    }

    private static EndpointException tooLarge(String endpoint, int maxBytes) {
        return new ResponseTooLargeException(endpoint, maxBytes);
    }

    /** Failures that mean "not up yet" or "lost on the way": worth another attempt. */
    private static boolean isTransient(IOException e) {
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        return e instanceof SocketException // refused, reset, unreachable
                || e instanceof InterruptedIOException // connect and response timeouts
                || e instanceof NoHttpResponseException // closed before the status line
                || e instanceof ConnectionClosedException; // closed in the middle of the body
    }

    /** A short reason for logs and errors, made here so no server text (or value) slips in. */
    private static String describe(IOException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return switch (e) {
            case NoRouteToHostException x -> "no route to host";
            case ConnectException x -> message.contains("unreachable") ? "network unreachable" : "connection refused";
            case ConnectTimeoutException x -> "connect timed out";
            case SocketTimeoutException x -> "no response in time";
            case NoHttpResponseException x -> "connection closed without a response";
            case ConnectionClosedException x -> "connection closed mid-response";
            case SocketException x -> "connection lost";
            case UnknownHostException x -> "unknown host";
            case SSLException x -> "TLS handshake failed (untrusted certificate, wrong host name, or a client certificate refused)";
            case InterruptedIOException x -> "interrupted";
            default -> e.getClass().getSimpleName();
        };
    }

    /** Once, then at most every few seconds across all requests: boot logs stay readable. */
    private void noticeWaiting(String endpoint, String failure, Deadline deadline) {
        long now = System.nanoTime();
        long next = nextNotice.get();
        if (now - next >= 0 && nextNotice.compareAndSet(next, now + NOTICE_INTERVAL.toNanos())) {
            long secondsLeft = (deadline.remaining().toMillis() + 999) / 1000;
            Log.notice("waiting for " + endpoint + " (" + failure + "), " + secondsLeft + "s left");
        }
    }

    /** Exponential backoff with jitter, so parallel requests do not retry in lockstep. */
    private static Duration backoff(int attempt) {
        long ceiling = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt, 20));
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    private static void pause(Duration backoff, Deadline deadline) throws InterruptedIOException {
        try {
            Thread.sleep(min(backoff, deadline.remaining()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }

    /**
     * Scheme, host, port and path: what messages may show of a URI. Not the query (it might
     * hold a value), nor user information in the authority (it might hold a password).
     */
    public static String endpoint(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** At least 1 ms: HttpClient reads a zero timeout as "wait forever". */
    private static Timeout timeout(Duration duration) {
        return Timeout.ofMilliseconds(Math.max(1, duration.toMillis()));
    }

    @Override
    public void close() {
        client.close(CloseMode.IMMEDIATE);
    }
}
