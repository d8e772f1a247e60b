package dev.bootsecrets.cloud.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.Attributes;
import dev.bootsecrets.cloud.Fetch;
import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataKeys;
import dev.bootsecrets.cloud.MetadataProvider;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.json.JsonTree;
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
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a Compute Engine instance's metadata: the instance and its project in one recursive
 * JSON request, plus the identity token when the run asks for it, in parallel.
 */
public final class GcpProvider implements MetadataProvider {
    /** The metadata server's address: metadata.google.internal needs DNS, which may not be up yet. */
    public static final URI ENDPOINT = URI.create("http://169.254.169.254");
    static final String ALL = "/?recursive=true&alt=json";
    static final String IDENTITY = "/instance/service-accounts/default/identity";
    static final String FLAVOR = "Metadata-Flavor";
    static final String GOOGLE = "Google";
    static final String USER_DATA = "user-data";
    static final String USER_DATA_ENCODING = "user-data-encoding";
    static final String SECTION = "bootsecrets-config";
    /** GCP holds at most 512 KiB of metadata per instance and as much per project. */
    private static final int MAX_METADATA = 4 << 20;
    private static final int MAX_TOKEN = 64 * 1024;

    private final MetadataKeys.Opener keys;
    private final Clock clock;
    private final boolean projectConfig;
    /** The attributes of the last gather (the instance's over the project's): later look-ups need no request. */
    private volatile Map<String, String> gathered;

    /**
     * @param clock         decides which keys have expired
     * @param projectConfig read the project's {@code bootsecrets-config} when the instance has
     *                      none ({@code userData.gcpProjectConfig}); otherwise only the instance's
     */
    public GcpProvider(URI endpoint, MetadataHttp http, Clock clock, boolean projectConfig) {
        this(deadline -> new GcpMetadata(endpoint, http, deadline), clock, projectConfig);
    }

    /** Over {@code keys} (the metadata server, or systemd-imdsd). */
    public GcpProvider(MetadataKeys.Opener keys, Clock clock, boolean projectConfig) {
        this.keys = keys;
        this.clock = clock;
        this.projectConfig = projectConfig;
    }

    @Override
    public String name() {
        return "gcp";
    }

    @Override
    public InstanceMetadata gather(GatherRequest request) throws MetadataException {
        MetadataKeys metadata = keys.open(request.deadline());
        if (request.identity() && request.audience().isBlank()) {
            throw new MetadataException(metadata.endpoint(IDENTITY), "an identity token needs an audience (the join service's URL)");
        }
        return Fetch.inParallel(name(), metadata::requests, executor -> {
            Future<Optional<Secret>> token = request.identity()
                    ? executor.submit(() -> Optional.of(identity(metadata, request.audience())))
                    : CompletableFuture.completedFuture(Optional.empty());
            return read(metadata.endpoint(ALL), fetchAll(metadata), request.attributes(), token);
        });
    }

    /** The instance as the recursive answer {@code all} describes it (the fuzz target's entry too). */
    InstanceMetadata read(String endpoint, JsonNode all, Set<String> asked, Future<Optional<Secret>> token)
            throws MetadataException {
        JsonNode instance = all.path("instance");
        String id = instance.path("id").asText("");
        if (!instance.isObject() || id.isEmpty()) {
            throw MetadataException.invalid(endpoint, "no instance.id in the answer");
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
                userData(endpoint, instanceAttributes),
                pick(merged, asked),
                await(token),
                section(instanceAttributes, projectAttributes));
    }

    @Override
    public Map<String, Secret> attributes(Set<String> names, Deadline deadline) throws MetadataException {
        Map<String, String> all = gathered;
        if (all == null) {
            JsonNode root = fetchAll(keys.open(deadline));
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

    private JsonNode fetchAll(MetadataKeys metadata) throws MetadataException {
        return parse(metadata.endpoint(ALL), get(metadata, ALL, MAX_METADATA));
    }

    /** The recursive answer as a JSON object; the body is wiped, as attributes may hold values. */
    static JsonNode parse(String endpoint, byte[] body) throws MetadataException {
        try {
            JsonNode root = JsonTree.read(body);
            if (root == null || !root.isObject()) {
                throw MetadataException.invalid(endpoint, "not a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw MetadataException.invalid(endpoint, "not a JSON document");
        } finally {
            Secret.wipe(body);
        }
    }

    private Secret identity(MetadataKeys metadata, String audience) throws MetadataException {
        String query = "?audience=" + URLEncoder.encode(audience, StandardCharsets.UTF_8) + "&format=full";
        byte[] token = get(metadata, IDENTITY + query, MAX_TOKEN);
        try {
            return Secret.of(token);
        } finally {
            Secret.wipe(token);
        }
    }

    /** The value at {@code key}; a missing one is an error here (the recursive answer and the identity always exist). */
    private byte[] get(MetadataKeys keys, String key, int maxBytes) throws MetadataException {
        return keys.get(key, maxBytes).orElseThrow(() -> new MetadataException(keys.endpoint(key), "not found (HTTP 404)"));
    }

    /**
     * The {@code user-data} attribute, base64-decoded when {@code user-data-encoding} says
     * base64 (as cloud-init reads it).
     */
    private static Optional<byte[]> userData(String endpoint, Map<String, String> attributes) throws MetadataException {
        String text = attributes.get(USER_DATA);
        if (text == null) {
            return Optional.empty();
        }
        if ("base64".equalsIgnoreCase(attributes.getOrDefault(USER_DATA_ENCODING, "").strip())) {
            try {
                return Optional.of(Base64.getMimeDecoder().decode(text));
            } catch (IllegalArgumentException e) {
                throw MetadataException.invalid(endpoint, "instance attribute " + USER_DATA + " is not valid base64");
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

    private static <T> T await(Future<T> future) throws MetadataException {
        return Fetch.await(future, "gcp");
    }
}
