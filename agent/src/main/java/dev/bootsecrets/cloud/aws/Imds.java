package dev.bootsecrets.cloud.aws;

import dev.bootsecrets.cloud.Fetch;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataKeys;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The IMDSv2 protocol for one run: a session token from {@code PUT /latest/api/token}, sent
 * with every GET and renewed once when the service stops accepting it. The token grants
 * metadata access, so it is kept as a {@link Secret} and never logged.
 */
final class Imds implements MetadataKeys {
    static final String TOKEN_PATH = "/latest/api/token";
    static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    /** Six hours, the longest AWS grants; one run needs seconds, but a renewal costs a request. */
    static final String TTL_SECONDS = "21600";
    private static final int MAX_TOKEN_BYTES = 4096;

    private final String base;
    private final boolean imdsv1;
    private final MetadataHttp http;
    private final Deadline deadline;
    private final AtomicInteger requests = new AtomicInteger();
    /** null once we fell back to IMDSv1. */
    private volatile Secret token;

    private Imds(String base, boolean imdsv1, MetadataHttp http, Deadline deadline) {
        this.base = base;
        this.imdsv1 = imdsv1;
        this.http = http;
        this.deadline = deadline;
    }

    /**
     * Gets the first token. A refused token API (403, 404, 405) means IMDSv1 only, which is
     * used only when {@code imdsv1} allows it.
     */
    static Imds open(URI endpoint, boolean imdsv1, MetadataHttp http, Deadline deadline) throws MetadataException {
        String base = endpoint.toString().replaceAll("/+$", "");
        Imds imds = new Imds(base, imdsv1, http, deadline);
        imds.token = imds.fetchToken(true);
        return imds;
    }

    /** GET of {@code path} below /latest: the body, or empty when the service answers 404. */
    @Override
    public Optional<byte[]> get(String path, int maxBytes) throws MetadataException {
        Secret used = token;
        Response response = send(Request.get(url(path), headers(used), maxBytes));
        if (response.status() == 401 && used != null) {
            response = send(Request.get(url(path), headers(renew(used)), maxBytes));
        }
        return switch (response.status()) {
            case 200 -> Optional.of(response.body());
            case 404 -> Optional.empty();
            case 401 -> throw new MetadataException(endpoint(path), "HTTP 401: token refused even after renewing it");
            default -> throw new MetadataException(endpoint(path), "HTTP " + response.status());
        };
    }

    /** How many requests this run sent (retries inside one request not counted). */
    @Override
    public int requests() {
        return requests.get();
    }

    @Override
    public String endpoint(String path) {
        return base + "/latest" + path;
    }

    /** Renews the token once however many parallel requests found {@code used} refused. */
    private synchronized Secret renew(Secret used) throws MetadataException {
        if (token == used) {
            Log.info("aws: metadata token no longer accepted, getting a new one");
            token = fetchToken(false);
        }
        return token;
    }

    private Secret fetchToken(boolean mayFallBack) throws MetadataException {
        String endpoint = base + TOKEN_PATH;
        Response response = send(Request.put(URI.create(endpoint), Map.of(TTL_HEADER, TTL_SECONDS), null, MAX_TOKEN_BYTES));
        int status = response.status();
        if (status == 200 && response.body().length > 0) {
            Secret secret = Secret.of(response.body());
            Secret.wipe(response.body());
            return secret;
        }
        boolean refused = status == 403 || status == 404 || status == 405;
        if (refused && mayFallBack && imdsv1) {
            Log.warn("aws: token API refused (HTTP " + status + "), using IMDSv1 as aws.imdsv1 allows");
            return null;
        }
        if (refused && mayFallBack) {
            throw new MetadataException(endpoint, "HTTP " + status + " from the IMDSv2 token API; IMDSv1 fallback is off (aws.imdsv1)");
        }
        throw new MetadataException(endpoint, status == 200 ? "empty token" : "HTTP " + status);
    }

    private Response send(Request request) throws MetadataException {
        requests.incrementAndGet();
        return Fetch.send(http, request, deadline);
    }

    private static Map<String, String> headers(Secret token) {
        return token == null ? Map.of() : Map.of(TOKEN_HEADER, token.utf8());
    }

    private URI url(String path) {
        return URI.create(endpoint(path));
    }
}
