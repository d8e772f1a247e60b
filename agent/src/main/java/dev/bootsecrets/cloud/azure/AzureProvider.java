package dev.bootsecrets.cloud.azure;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.Attributes;
import dev.bootsecrets.cloud.Fetch;
import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.GatherRequest.IdentityKind;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataKeys;
import dev.bootsecrets.cloud.MetadataProvider;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an Azure VM's metadata from IMDS (one request, plus the attested document or the
 * managed identity's access token when the run asks for an identity), and reports the VM ready
 * to the wireserver once per instance.
 */
public final class AzureProvider implements MetadataProvider {
    public static final URI IMDS = URI.create("http://169.254.169.254");
    public static final URI WIRESERVER = URI.create("http://168.63.129.16");
    static final String API_VERSION = "2023-07-01";
    static final String INSTANCE = "/metadata/instance";
    static final String ATTESTED = "/metadata/attested/document";
    /** Holds the vmId the ready report was sent for: a new instance (from a captured image) reports again. */
    static final String READY_MARKER = "/var/lib/bootsecrets/azure-ready";
    /** Agents that report ready themselves: with readyReport auto, their presence means leave it to them. */
    static final List<String> OTHER_AGENTS = List.of("/usr/sbin/waagent", "/usr/bin/waagent", "/usr/bin/afterburn");
    static final String CLOUD_INIT = "/usr/bin/cloud-init";
    static final String CLOUD_INIT_DISABLED = "/etc/cloud/cloud-init.disabled";

    private static final Pattern HOME_KEYS = Pattern.compile("/home/([A-Za-z0-9_.][A-Za-z0-9_.-]{0,31})/\\.ssh/authorized_keys");

    private final Optional<MetadataKeys.Opener> leaves;
    private final String imds;
    private final URI wireserver;
    private final Settings.Azure settings;
    private final TargetRoot root;
    private final MetadataHttp http;
    private final AtomicInteger requests = new AtomicInteger();
    /** The tags of the last gather: later look-ups need no request. */
    private volatile Map<String, String> gathered;

    public AzureProvider(URI imds, URI wireserver, Settings.Azure settings, TargetRoot root, MetadataHttp http) {
        this(imds, wireserver, settings, root, http, Optional.empty());
    }

    /**
     * @param leaves where the instance document's leaves are read instead of IMDS's JSON
     *               (systemd-imdsd); the identity and the ready report still go to {@code imds}
     *               and {@code wireserver}
     */
    public AzureProvider(URI imds, URI wireserver, Settings.Azure settings, TargetRoot root, MetadataHttp http,
            Optional<MetadataKeys.Opener> leaves) {
        this.leaves = leaves;
        this.imds = imds.toString().replaceAll("/+$", "");
        this.wireserver = wireserver;
        this.settings = settings;
        this.root = root;
        this.http = http;
    }

    @Override
    public String name() {
        return "azure";
    }

    @Override
    public InstanceMetadata gather(GatherRequest request) throws MetadataException {
        if (request.identity() && request.kind() == IdentityKind.TOKEN && request.audience().isBlank()) {
            throw new MetadataException(imds + ManagedIdentity.PATH, "an access token needs a resource (the audience)");
        }
        return Fetch.inParallel(name(), requests::get, executor -> {
            Future<Optional<Secret>> identity = request.identity()
                    ? executor.submit(() -> identity(request))
                    : CompletableFuture.completedFuture(Optional.empty());
            return read(instance(request.deadline()), request.attributes(), identity);
        });
    }

    /** The VM as the instance answer describes it (the fuzz target's entry too). */
    InstanceMetadata read(JsonNode answer, Set<String> asked, Future<Optional<Secret>> identity) throws MetadataException {
        JsonNode compute = answer.path("compute");
        String vmId = compute.path("vmId").asText("");
        if (vmId.isEmpty()) {
            throw MetadataException.invalid(imds + INSTANCE, "no compute.vmId in the answer");
        }
        Map<String, String> tags = tags(compute);
        gathered = tags;
        JsonNode os = compute.path("osProfile");
        String hostname = os.path("computerName").asText("");
        return new InstanceMetadata(
                name(),
                vmId,
                hostname.isEmpty() ? compute.path("name").asText("") : hostname,
                compute.path("location").asText(""),
                compute.path("zone").asText(""),
                sshKeys(compute.path("publicKeys"), os.path("adminUsername").asText("")),
                userData(compute),
                pick(tags, asked),
                await(identity));
    }

    @Override
    public Map<String, Secret> attributes(Set<String> names, Deadline deadline) throws MetadataException {
        return pick(gathered != null ? gathered : tags(instance(deadline).path("compute")), names);
    }

    private static Map<String, Secret> pick(Map<String, String> all, Set<String> names) {
        return Attributes.named(all, names, name -> "azure: tag " + name + " not found on the VM");
    }

    /**
     * The provisioning ready report, unless it is off, left to another agent, or already
     * sent for this instance. Remembered only once the wireserver took it, so a failed
     * report is tried again at the next boot.
     */
    @Override
    public void reportReady(InstanceMetadata metadata, Deadline deadline) throws MetadataException {
        try {
            if (!wanted()) {
                return;
            }
            Optional<byte[]> marker = root.read(READY_MARKER, 4096);
            if (marker.isPresent() && new String(marker.get(), StandardCharsets.UTF_8).strip().equals(metadata.instanceId())) {
                Log.info("azure: ready was already reported for this instance");
                return;
            }
            new WireServer(wireserver, http, requests).reportReady(deadline);
            root.createParents(READY_MARKER);
            root.write(READY_MARKER, (metadata.instanceId() + "\n").getBytes(StandardCharsets.UTF_8), 0, 0, 0644);
            Log.notice("azure: reported ready to the wireserver (provisioning complete)");
        } catch (IOException e) {
            throw new MetadataException(READY_MARKER, e.getMessage(), e);
        }
    }

    private boolean wanted() throws IOException {
        switch (settings.readyReport()) {
            case ON -> {
                return true;
            }
            case OFF -> {
                Log.info("azure: no ready report (metadata.azure.readyReport is false)");
                return false;
            }
            default -> {
                for (String agent : OTHER_AGENTS) {
                    if (root.exists(agent)) {
                        Log.info("azure: ready report left to " + agent + ", which the image has");
                        return false;
                    }
                }
                if (root.exists(CLOUD_INIT) && !root.exists(CLOUD_INIT_DISABLED)) {
                    Log.info("azure: ready report left to cloud-init, which the image has");
                    return false;
                }
                return true;
            }
        }
    }

    /** The identity the run asked for: the attested document, or the managed identity's access token. */
    private Optional<Secret> identity(GatherRequest request) throws MetadataException {
        return request.kind() == IdentityKind.TOKEN
                ? accessToken(request.audience(), request.deadline())
                : Optional.of(attested(request.deadline()));
    }

    /** The attested document's pkcs7 signature, which holds the document and is what a join service checks. */
    private Secret attested(Deadline deadline) throws MetadataException {
        JsonNode document = json(ATTESTED, deadline);
        String signature = document.path("signature").asText("");
        if (signature.isEmpty()) {
            throw MetadataException.invalid(imds + ATTESTED, "no signature in the answer");
        }
        return Secret.ofUtf8(signature);
    }

    /**
     * The access token of the VM's managed identity for {@code resource}. Empty when the VM has
     * none: that fails the join that wanted it (exit 6), not the gather.
     */
    private Optional<Secret> accessToken(String resource, Deadline deadline) throws MetadataException {
        return ManagedIdentity.fetch(URI.create(imds), resource, http, deadline, requests).map(ManagedIdentity::token);
    }

    /** Keys by the user their path names (/home/USER/.ssh/authorized_keys), else the admin user. */
    private static Map<String, List<String>> sshKeys(JsonNode publicKeys, String admin) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (JsonNode key : publicKeys) {
            String line = key.path("keyData").asText("").strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher home = HOME_KEYS.matcher(key.path("path").asText(""));
            String user = home.matches() ? home.group(1) : admin.isEmpty() ? InstanceMetadata.DEFAULT_USER : admin;
            keys.computeIfAbsent(user, u -> new ArrayList<>()).add(line);
        }
        return keys;
    }

    /** IMDS userData (base64), else the custom data of the provisioning media. */
    private Optional<byte[]> userData(JsonNode compute) throws MetadataException {
        String encoded = compute.path("userData").asText("").strip();
        if (!encoded.isEmpty()) {
            try {
                return Optional.of(Base64.getMimeDecoder().decode(encoded));
            } catch (IllegalArgumentException e) {
                throw MetadataException.invalid(imds + INSTANCE, "compute.userData is not valid base64");
            }
        }
        return OvfEnv.customData(root, settings.ovfEnv());
    }

    /** Tags from tagsList (name and value), or from the older "k:v;k:v" string. */
    private static Map<String, String> tags(JsonNode compute) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (compute.path("tagsList").isArray()) {
            for (JsonNode tag : compute.path("tagsList")) {
                if (tag.path("name").isTextual()) {
                    tags.put(tag.path("name").asText(), tag.path("value").asText(""));
                }
            }
            return tags;
        }
        for (String pair : compute.path("tags").asText("").split(";")) {
            int colon = pair.indexOf(':');
            if (colon > 0) {
                tags.put(pair.substring(0, colon), pair.substring(colon + 1));
            }
        }
        return tags;
    }

    /** The instance answer: IMDS's JSON, or the same shape from systemd-imdsd's leaves. */
    private JsonNode instance(Deadline deadline) throws MetadataException {
        if (leaves.isEmpty()) {
            return json(INSTANCE, deadline);
        }
        MetadataKeys keys = leaves.get().open(deadline);
        try {
            return AzureLeaves.instance(keys);
        } finally {
            requests.addAndGet(keys.requests());
        }
    }

    private JsonNode json(String path, Deadline deadline) throws MetadataException {
        return parse(path, ok(path, send(path, "api-version=" + API_VERSION, deadline)));
    }

    /** A JSON object answer; the body is wiped, as an answer may hold a token. */
    JsonNode parse(String path, byte[] body) throws MetadataException {
        String endpoint = imds + path;
        try {
            JsonNode node = JsonTree.read(body);
            if (node == null || !node.isObject()) {
                throw MetadataException.invalid(endpoint, "not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw MetadataException.invalid(endpoint, "not a JSON document");
        } finally {
            Secret.wipe(body);
        }
    }

    private byte[] ok(String path, Response response) throws MetadataException {
        if (response.status() != 200) {
            throw new MetadataException(imds + path, "HTTP " + response.status());
        }
        return response.body();
    }

    /** A GET with the Metadata header: the answer, whatever its status. */
    private Response send(String path, String query, Deadline deadline) throws MetadataException {
        return AzureImds.get(http, URI.create(imds + path + "?" + query), deadline, requests);
    }

    private static <T> T await(Future<T> future) throws MetadataException {
        return Fetch.await(future, "azure");
    }
}
