package dev.bootsecrets.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.bootsecrets.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetadataHttpTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final MetadataHttp http = MetadataHttp.create();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile HttpServer server;

    @BeforeEach
    void captureLog() {
        Log.configure(new PrintStream(logged, true, StandardCharsets.UTF_8), false);
    }

    @AfterEach
    void stop() {
        Log.configure(System.err, false);
        http.close();
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void retriesServiceUnavailableUntilTheAnswerComes() throws IOException {
        URI base = serve(0, exchange -> reply(exchange, requests.incrementAndGet() <= 2 ? 503 : 200, "ok"));

        Response response = http.send(get(base, "/latest/meta-data/instance-id", 1024), soon());

        assertEquals(200, response.status());
        assertEquals("ok", new String(response.body(), StandardCharsets.UTF_8));
        assertEquals(3, requests.get());
    }

    @Test
    void retriesAConnectionClosedInTheMiddleOfTheBody() throws Exception {
        try (var listener = new ServerSocket(0, 0, LOOPBACK)) {
            Thread.ofVirtual().start(() -> {
                // First answer promises 100 bytes and hangs up after 4; the second is whole.
                for (String answer : new String[] {"Content-Length: 100\r\n\r\nhalf", "Content-Length: 5\r\n\r\nwhole"}) {
                    try (var socket = listener.accept()) {
                        socket.getInputStream().read(new byte[4096]);
                        requests.incrementAndGet();
                        socket.getOutputStream().write(("HTTP/1.1 200 OK\r\n" + answer).getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            URI base = URI.create("http://127.0.0.1:" + listener.getLocalPort());

            Response response = http.send(get(base, "/latest/user-data", 1024), soon());

            assertEquals("whole", new String(response.body(), StandardCharsets.UTF_8));
            assertEquals(2, requests.get());
        }
    }

    @Test
    void waitsForAServerThatComesUpLate() throws Exception {
        int port = freePort();
        Thread late = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(1500);
                serve(port, exchange -> reply(exchange, 200, "token"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Response response = http.send(get(URI.create("http://127.0.0.1:" + port), "/latest/api/token", 1024), soon());
        late.join();

        assertEquals("token", new String(response.body(), StandardCharsets.UTF_8));
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("<5>waiting for http://127.0.0.1:" + port + "/latest/api/token (connection refused), "), log);
    }

    @Test
    void givesUpAtTheDeadlineNamingTheEndpoint() throws IOException {
        int port = freePort(); // nothing listens there
        String endpoint = "http://127.0.0.1:" + port + "/latest/meta-data/instance-id";

        var e = assertThrows(MetadataUnavailableException.class,
                () -> http.send(get(URI.create(endpoint), "", 1024), Deadline.in(Duration.ofSeconds(1))));

        assertEquals(endpoint, e.endpoint());
        assertTrue(e.getMessage().contains(endpoint) && e.getMessage().contains("connection refused"), e.getMessage());
    }

    @Test
    void aDeadlineFallingAnywhereInAnExchangeIsAlwaysNamedUnavailable() throws IOException {
        // Deadlines of 0 to 20 ms against an answer of 503 land the watchdog in every step of
        // an exchange: leasing a connection, connecting, sending, waiting for the status line.
        URI base = serve(0, exchange -> reply(exchange, 503, "busy"));
        String endpoint = base + "/latest/api/token";

        for (int i = 0; i < 300; i++) {
            Deadline deadline = Deadline.in(Duration.ofNanos((i % 40) * 500_000L));
            var e = assertThrows(MetadataUnavailableException.class, () -> http.send(get(base, "/latest/api/token", 1024), deadline));
            assertEquals(endpoint, e.endpoint());
        }
    }

    @Test
    void theWaitingNoticeShowsNeitherHeadersNorQuery() throws IOException {
        int port = freePort();
        URI uri = URI.create("http://127.0.0.1:" + port + "/computeMetadata/v1/?access=query-value-1234");
        var request = Request.get(uri, Map.of("X-aws-ec2-metadata-token", "header-value-1234"), 1024);

        var e = assertThrows(MetadataUnavailableException.class,
                () -> http.send(request, Deadline.in(Duration.ofMillis(500))));

        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("waiting for http://127.0.0.1:" + port + "/computeMetadata/v1/ "), log);
        for (String shown : new String[] {log, e.getMessage(), request.toString()}) {
            assertFalse(shown.contains("query-value-1234") || shown.contains("header-value-1234"), shown);
        }
    }

    @Test
    void aBodyOverTheLimitIsAnErrorNamingTheUrl() throws IOException {
        byte[] big = new byte[2000];
        URI base = serve(0, exchange -> {
            requests.incrementAndGet();
            // /chunked sends no Content-Length, so the limit must hold while reading too.
            exchange.sendResponseHeaders(200, exchange.getRequestURI().getPath().equals("/chunked") ? 0 : big.length);
            try (var out = exchange.getResponseBody()) {
                out.write(big);
            }
        });

        for (String path : new String[] {"/sized", "/chunked"}) {
            var e = assertThrows(EndpointException.class, () -> http.send(get(base, path, 1000), soon()));
            assertTrue(e.getMessage().contains(base + path) && e.getMessage().contains("larger than 1000 bytes"),
                    e.getMessage());
        }
        assertEquals(2, requests.get()); // not retried
        assertArrayEquals(big, http.send(get(base, "/sized", 2000), soon()).body());
    }

    @Test
    void aServerTricklingHeadersOrBodyIsCutOffAtTheDeadline() throws Exception {
        // A byte a second: every read succeeds well inside the socket timeout, the response never ends.
        for (String head : new String[] {"HTTP/1.1 200 OK\r\nX-Slow: ", "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n"}) {
            try (var listener = new ServerSocket(0, 0, LOOPBACK)) {
                Thread server = Thread.ofVirtual().start(() -> trickle(listener, head));
                URI base = URI.create("http://127.0.0.1:" + listener.getLocalPort());
                long start = System.nanoTime();

                var e = assertThrows(MetadataUnavailableException.class,
                        () -> http.send(get(base, "/latest/user-data", 1024), Deadline.in(Duration.ofSeconds(2))));

                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "held " + took);
                assertTrue(e.getMessage().contains(base + "/latest/user-data") && e.getMessage().contains("too slow"),
                        e.getMessage());
                server.interrupt();
            }
        }
    }

    @Test
    void theJoinsClientIsCutOffAtItsDeadlineToo() throws Exception {
        try (var listener = new ServerSocket(0, 0, LOOPBACK);
                MetadataHttp join = MetadataHttp.tls(javax.net.ssl.SSLContext.getDefault())) {
            Thread server = Thread.ofVirtual().start(() -> trickle(listener, "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n"));
            URI base = URI.create("http://127.0.0.1:" + listener.getLocalPort());

            var e = assertThrows(MetadataUnavailableException.class,
                    () -> join.send(get(base, "/v1/join", 1024), Deadline.in(Duration.ofSeconds(2))));

            assertTrue(e.getMessage().contains("too slow"), e.getMessage());
            server.interrupt();
        }
    }

    private static void trickle(ServerSocket listener, String head) {
        try (var socket = listener.accept()) {
            socket.getInputStream().read(new byte[4096]);
            var out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 60; i++) {
                out.write('a');
                out.flush();
                Thread.sleep(1000);
            }
        } catch (IOException | InterruptedException e) {
            // the client hung up, or the test is over
        }
    }

    @Test
    void aHugeBodyIsRefusedWithoutReadingIt() throws IOException {
        // 100 MB announced, and 100 MB streamed without a length: both refused at the limit, quickly.
        URI base = serve(0, exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, exchange.getRequestURI().getPath().equals("/chunked") ? 0 : 100 << 20);
            try (var out = exchange.getResponseBody()) {
                byte[] block = new byte[1 << 16];
                for (int i = 0; i < 1600; i++) {
                    out.write(block);
                }
            } catch (IOException e) {
                // the client hung up, as it should
            }
        });

        for (String path : new String[] {"/sized", "/chunked"}) {
            var e = assertThrows(ResponseTooLargeException.class, () -> http.send(get(base, path, 1 << 20), soon()));
            assertTrue(e.getMessage().contains(base + path), e.getMessage());
        }
        assertEquals(2, requests.get());
    }

    @Test
    void notFoundIsReturnedAndNotRetried() throws IOException {
        URI base = serve(0, exchange -> reply(exchange, requests.incrementAndGet() == 1 ? 404 : 200, "late"));

        Response response = http.send(get(base, "/latest/user-data", 1024), soon());

        assertEquals(404, response.status());
        assertEquals(1, requests.get());
    }

    @Test
    void sendsHeadersAndBodyAndNamesResponseHeadersInLowerCase() throws IOException {
        AtomicReference<String> seen = new AtomicReference<>();
        URI base = serve(0, exchange -> {
            seen.set(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("X-Ttl") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.getResponseHeaders().add("X-Answer-Kind", "plain");
            reply(exchange, 200, "done");
        });

        var request = Request.put(base.resolve("/latest/api/token"), Map.of("X-Ttl", "60"),
                "payload".getBytes(StandardCharsets.UTF_8), 1024);
        Response response = http.send(request, soon());

        assertEquals("PUT 60 payload", seen.get());
        assertEquals("plain", response.headers().get("x-answer-kind"));
    }

    @Test
    void aRetryAfterWithinTheDeadlineIsWaitedOutInSecondsOrAsADate() throws IOException {
        for (String after : new String[] {"1", httpDate(Duration.ofSeconds(1))}) {
            URI base = askingToWait(1, 429, after);

            Response response = http.send(get(base, "/latest/api/token", 1024), soon());

            assertEquals(200, response.status());
            assertEquals(2, requests.get());
            server.stop(0);
        }
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("(HTTP 429, asked to retry after 1 s)"), logged.toString());
    }

    @Test
    void aRetryAfterPastTheDeadlineFailsAtOnceNamingTheEndpointAndTheWait() throws IOException {
        for (String after : new String[] {"120", httpDate(Duration.ofHours(1))}) {
            URI base = askingToWait(Integer.MAX_VALUE, 503, after);
            String endpoint = base + "/computeMetadata/v1/instance/id";

            var e = assertThrows(MetadataUnavailableException.class,
                    () -> http.send(get(base, "/computeMetadata/v1/instance/id", 1024), soon()));

            assertEquals(1, requests.get(), "not asked again: the wait would end past the deadline");
            assertTrue(e.getMessage().startsWith(endpoint + ": HTTP 503, asked to retry after "), e.getMessage());
            // An HTTP date has whole seconds: an hour from now is 3599 or 3600 s away.
            assertTrue(e.getMessage().matches(".* after (120|3599|3600) s, past the deadline .*"), e.getMessage());
            assertFalse(e.getMessage().contains("try later"), "no server text in the message");
            server.stop(0);
        }
    }

    /** A server whose first {@code asking} answers are {@code status} with Retry-After {@code after}, then 200. */
    private URI askingToWait(int asking, int status, String after) throws IOException {
        requests.set(0);
        return serve(0, exchange -> {
            if (requests.incrementAndGet() <= asking) {
                exchange.getResponseHeaders().set("Retry-After", after);
                reply(exchange, status, "try later");
            } else {
                reply(exchange, 200, "ok");
            }
        });
    }

    private static String httpDate(Duration fromNow) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plus(fromNow));
    }

    @Test
    void retryAfterIsReadOnlyAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-12-06T10:00:00Z");
        assertEquals(Optional.of(Duration.ofSeconds(30)), RetryAfter.parse("30", now));
        assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("Sun, 06 Dec 2026 10:01:30 GMT", now));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Sun, 06 Dec 2026 09:00:00 GMT", now));
        assertEquals(Optional.empty(), RetryAfter.parse("soon", now));
        assertEquals(Optional.empty(), RetryAfter.parse("-5", now));
        assertEquals(Optional.empty(), RetryAfter.of(new Response(500, Map.of("retry-after", "5"), new byte[0]), now));
    }

    private URI serve(int port, HttpHandler handler) throws IOException {
        HttpServer started = HttpServer.create(new InetSocketAddress(LOOPBACK, port), 0);
        started.createContext("/", handler);
        started.start();
        server = started;
        return URI.create("http://127.0.0.1:" + started.getAddress().getPort());
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Request get(URI base, String path, int maxBytes) {
        return Request.get(URI.create(base + path), Map.of(), maxBytes);
    }

    private static Deadline soon() {
        return Deadline.in(Duration.ofSeconds(20));
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 0, LOOPBACK)) {
            return socket.getLocalPort();
        }
    }
}
