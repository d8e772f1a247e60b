package dev.bootsecrets.cloud.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.cloud.Attributes;
import dev.bootsecrets.cloud.Fetch;
import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataProvider;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a Compute Engine instance's metadata: the instance and its project in one recursive
 * JSON request, plus the identity token when the run asks for it, in parallel.
 */
public final class GcpProvider implements MetadataProvider {
    /** The metadata server's address: metadata.google.internal needs DNS, which may not be up yet. */
    public static final URI ENDPOINT = URI.create("http://169.254.169.254");
    static final String ALL = "/computeMetadata/v1/?recursive=true&alt=json";
    static final String IDENTITY = "/computeMetadata/v1/instance/service-accounts/default/identity";
    static final String FLAVOR = "Metadata-Flavor";
    static final String GOOGLE = "Google";
    static final String USER_DATA = "user-data";
    static final String USER_DATA_ENCODING = "user-data-encoding";
    static final String SECTION = "bootsecrets-config";
    /** GCP holds at most 512 KiB of metadata per instance and as much per project. */
    private static final int MAX_METADATA = 4 << 20;
    private static final int MAX_TOKEN = 64 * 1024;

    private final String base;
    private final MetadataHttp http;
    private final Clock clock;
    private final boolean projectConfig;
    private final AtomicInteger requests = new AtomicInteger();
    /** The attributes of the last gather (the instance's over the project's): later look-ups need no request. */
    private volatile Map<String, String> gathered;

    /**
     * @param clock         decides which keys have expired
     * @param projectConfig read the project's {@code bootsecrets-config} when the instance has
     *                      none ({@code userData.gcpProjectConfig}); otherwise only the instance's
     */
    public GcpProvider(URI endpoint, MetadataHttp http, Clock clock, boolean projectConfig) {
        this.base = endpoint.toString().replaceAll("/+$", "");
        this.http = http;
        this.clock = clock;
        this.projectConfig = projectConfig;
    }

    @Override
    public String name() {
        return "gcp";
    }

    @Override
    public InstanceMetadata gather(GatherRequest request) throws MetadataException {
        long start = System.nanoTime();
        if (request.identity() && request.audience().isBlank()) {
            throw new MetadataException(base + IDENTITY, "an identity token needs an audience (the join service's URL)");
        }
        ExecutorService executor = Fetch.threads();
        try {
            Future<Optional<Secret>> token = request.identity()
                    ? executor.submit(() -> Optional.of(identity(request.audience(), request.deadline())))
                    : CompletableFuture.completedFuture(Optional.empty());
            InstanceMetadata metadata = read(fetchAll(request.deadline()), request.attributes(), token);
            Log.info("gcp: " + requests.get() + " requests in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            return metadata;
        } finally {
            executor.shutdownNow();
        }
    }

    /** The instance as the recursive answer {@code all} describes it (the fuzz target's entry too). */
    InstanceMetadata read(JsonNode all, Set<String> asked, Future<Optional<Secret>> token) throws MetadataException {
        JsonNode instance = all.path("instance");
        String id = instance.path("id").asText("");
        if (!instance.isObject() || id.isEmpty()) {
            throw MetadataException.invalid(base + path(ALL), "no instance.id in the answer");
        }
        Map<String, String> instanceAttributes = strings(instance.path("attributes"));
        Map<String, String> projectAttributes = strings(all.path("project").path("attributes"));
        Map<String, String> merged = merged(projectAttributes, instanceAttributes);
        gathered = merged;
        String zone = lastPart(instance.path("zone").asText(""));
        return new InstanceMetadata(
                name(),
                id,
                instance.path("hostname").asText(""),
                zone.contains("-") ? zone.substring(0, zone.lastIndexOf('-')) : zone,
                zone,
                GcpKeys.byUser(instanceAttributes, projectAttributes, clock.instant()),
                userData(instanceAttributes),
                pick(merged, asked),
                await(token),
                section(instanceAttributes, projectAttributes));
    }

    @Override
    public Map<String, Secret> attributes(Set<String> names, Deadline deadline) throws MetadataException {
        Map<String, String> all = gathered;
        if (all == null) {
            JsonNode root = fetchAll(deadline);
            all = merged(strings(root.path("project").path("attributes")), strings(root.path("instance").path("attributes")));
        }
        return pick(all, names);
    }

    /**
     * The instance's {@code bootsecrets-config}; the project's (every project editor's) only
     * when the image opts in and the instance has none. Its SSH keys follow OS Login and
     * block-project-ssh-keys like every other key in metadata.
     */
    private Optional<InstanceMetadata.Section> section(Map<String, String> instance, Map<String, String> project) {
        boolean fromProject = !instance.containsKey(SECTION) && project.containsKey(SECTION);
        if (fromProject && !projectConfig) {
            Log.notice("gcp: the project's " + SECTION + " attribute is not read: only the instance's is, unless the"
                    + " image sets userData.gcpProjectConfig");
            return Optional.empty();
        }
        String text = fromProject ? project.get(SECTION) : instance.get(SECTION);
        return Optional.ofNullable(text).map(t -> new InstanceMetadata.Section(t.getBytes(StandardCharsets.UTF_8),
                GcpKeys.sectionSshRefusal(instance, project, fromProject)));
    }

    private static Map<String, Secret> pick(Map<String, String> all, Set<String> names) {
        return Attributes.named(all, names,
                name -> "gcp: metadata attribute " + name + " not found on the instance or its project");
    }

    /** The instance's attributes over the project's, as GCP applies them. */
    private static Map<String, String> merged(Map<String, String> project, Map<String, String> instance) {
        Map<String, String> all = new LinkedHashMap<>(project);
        all.putAll(instance);
        return all;
    }

    private JsonNode fetchAll(Deadline deadline) throws MetadataException {
        return parse(get(ALL, MAX_METADATA, deadline));
    }

    /** The recursive answer as a JSON object; the body is wiped, as attributes may hold values. */
    JsonNode parse(byte[] body) throws MetadataException {
        try {
            JsonNode root = new ObjectMapper().readTree(body);
            if (root == null || !root.isObject()) {
                throw MetadataException.invalid(base + path(ALL), "not a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw MetadataException.invalid(base + path(ALL), "not a JSON document");
        } finally {
            Secret.wipe(body);
        }
    }

    private Secret identity(String audience, Deadline deadline) throws MetadataException {
        String query = "?audience=" + URLEncoder.encode(audience, StandardCharsets.UTF_8) + "&format=full";
        byte[] token = get(IDENTITY + query, MAX_TOKEN, deadline);
        try {
            return Secret.of(token);
        } finally {
            Secret.wipe(token);
        }
    }

    /** A GET with the Metadata-Flavor header, whose answer must carry it back. */
    private byte[] get(String pathAndQuery, int maxBytes, Deadline deadline) throws MetadataException {
        requests.incrementAndGet();
        URI uri = URI.create(base + pathAndQuery);
        Response response = Fetch.send(http, Request.get(uri, Map.of(FLAVOR, GOOGLE), maxBytes), deadline);
        String endpoint = MetadataHttp.endpoint(uri);
        if (!GOOGLE.equals(response.headers().get("metadata-flavor"))) {
            throw new MetadataException(endpoint, "the answer has no " + FLAVOR + ": " + GOOGLE
                    + " header, so this is not a GCP metadata server (HTTP " + response.status() + ")");
        }
        if (response.status() != 200) {
            throw new MetadataException(endpoint, "HTTP " + response.status()
                    + (response.status() == 403 ? " (refused: is a proxy in between?)" : ""));
        }
        return response.body();
    }

    /**
     * The {@code user-data} attribute, base64-decoded when {@code user-data-encoding} says
     * base64 (as cloud-init reads it).
     */
    private Optional<byte[]> userData(Map<String, String> attributes) throws MetadataException {
        String text = attributes.get(USER_DATA);
        if (text == null) {
            return Optional.empty();
        }
        if ("base64".equalsIgnoreCase(attributes.getOrDefault(USER_DATA_ENCODING, "").strip())) {
            try {
                return Optional.of(Base64.getMimeDecoder().decode(text));
            } catch (IllegalArgumentException e) {
                throw MetadataException.invalid(base + path(ALL), "instance attribute " + USER_DATA + " is not valid base64");
            }
        }
        return Optional.of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** An attributes object's string values, by name (others are not GCP attributes). */
    private static Map<String, String> strings(JsonNode attributes) {
        Map<String, String> out = new LinkedHashMap<>();
        attributes.properties().forEach(e -> {
            if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    /** "projects/123/zones/us-central1-a" -> "us-central1-a". */
    private static String lastPart(String path) {
        List<String> parts = List.of(path.split("/"));
        return parts.isEmpty() ? "" : parts.getLast();
    }

    private static String path(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static <T> T await(Future<T> future) throws MetadataException {
        return Fetch.await(future, "gcp");
    }
}
