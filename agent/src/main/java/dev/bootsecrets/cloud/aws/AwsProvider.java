package dev.bootsecrets.cloud.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.Fetch;
import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataKeys;
import dev.bootsecrets.cloud.MetadataProvider;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Reads an EC2 instance's metadata over IMDSv2: only what the run needs, in parallel on the
 * one pooled client, under the gather's deadline.
 */
public final class AwsProvider implements MetadataProvider {
    public static final URI IPV4 = URI.create("http://169.254.169.254");
    public static final URI IPV6 = URI.create("http://[fd00:ec2::254]");

    private static final int MAX_VALUE = 64 * 1024;
    private static final int MAX_USER_DATA = 16 << 20;
    private static final String INSTANCE_ID = "/meta-data/instance-id";
    private static final String DOCUMENT = "/dynamic/instance-identity/document";
    private static final String PKCS7 = "/dynamic/instance-identity/pkcs7";

    private final MetadataKeys.Opener keys;

    /** Over IMDS at {@code endpoint}. */
    public AwsProvider(URI endpoint, Settings.Aws settings, MetadataHttp http) {
        this(deadline -> Imds.open(endpoint, settings.imdsv1(), http, deadline));
    }

    /** Over {@code keys} (IMDS, or systemd-imdsd). */
    public AwsProvider(MetadataKeys.Opener keys) {
        this.keys = keys;
    }

    @Override
    public String name() {
        return "aws";
    }

    @Override
    public InstanceMetadata gather(GatherRequest request) throws MetadataException {
        MetadataKeys imds = keys.open(request.deadline());
        return Fetch.inParallel(name(), imds::requests, executor -> {
            Future<String> instanceId = executor.submit(
                    () -> text(imds, INSTANCE_ID).orElseThrow(() -> notFound(imds, INSTANCE_ID)));
            Future<String> hostname = executor.submit(() -> hostname(imds));
            Future<String> region = executor.submit(() -> text(imds, "/meta-data/placement/region").orElse(""));
            Future<String> zone = executor.submit(() -> text(imds, "/meta-data/placement/availability-zone").orElse(""));
            Future<List<String>> keys = executor.submit(() -> sshKeys(imds, executor));
            Future<Optional<byte[]>> userData = executor.submit(() -> imds.get("/user-data", MAX_USER_DATA));
            Map<String, Future<Optional<byte[]>>> tags = fetchTags(imds, request.attributes(), executor);
            Future<byte[]> document = request.identity() ? executor.submit(() -> required(imds, DOCUMENT)) : null;
            Future<byte[]> pkcs7 = request.identity() ? executor.submit(() -> required(imds, PKCS7)) : null;

            String id = await(instanceId);
            Optional<Secret> identity = Optional.empty();
            if (request.identity()) {
                checkDocument(imds.endpoint(DOCUMENT), await(document), id);
                byte[] signature = await(pkcs7);
                identity = Optional.of(Secret.of(signature));
                Secret.wipe(signature);
            }
            List<String> keyLines = await(keys);
            InstanceMetadata metadata = new InstanceMetadata(
                    name(),
                    id,
                    await(hostname),
                    await(region),
                    await(zone),
                    keyLines.isEmpty() ? Map.of() : Map.of(InstanceMetadata.DEFAULT_USER, keyLines),
                    await(userData),
                    attributes(tags),
                    identity);
            return metadata;
        });
    }

    @Override
    public Map<String, Secret> attributes(Set<String> names, Deadline deadline) throws MetadataException {
        MetadataKeys imds = keys.open(deadline);
        return Fetch.inParallel(name(), imds::requests, executor -> attributes(fetchTags(imds, names, executor)));
    }

    private static Map<String, Future<Optional<byte[]>>> fetchTags(
            MetadataKeys imds, Set<String> names, ExecutorService executor) {
        Map<String, Future<Optional<byte[]>>> tags = new LinkedHashMap<>();
        for (String name : names) {
            String path = "/meta-data/tags/instance/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
            tags.put(name, executor.submit(() -> imds.get(path, MAX_VALUE)));
        }
        return tags;
    }

    private static String hostname(MetadataKeys imds) throws MetadataException {
        Optional<String> hostname = text(imds, "/meta-data/hostname");
        return hostname.isPresent() ? hostname.get() : text(imds, "/meta-data/local-hostname").orElse("");
    }

    /** The listing ("0=name" lines), then every key in parallel; a 404 listing means none. */
    private static List<String> sshKeys(MetadataKeys imds, ExecutorService executor) throws MetadataException {
        List<Future<Optional<String>>> fetches = new ArrayList<>();
        for (String index : keyIndexes(text(imds, "/meta-data/public-keys/").orElse(""))) {
            fetches.add(executor.submit(() -> text(imds, "/meta-data/public-keys/" + index + "/openssh-key")));
        }
        List<String> keys = new ArrayList<>();
        for (var fetch : fetches) {
            keys.addAll(keyLines(await(fetch).orElse("")));
        }
        return keys;
    }

    /** The indexes a public-keys listing names ("0=name" lines). */
    static List<String> keyIndexes(String listing) {
        List<String> indexes = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String index = line.strip().split("=", 2)[0];
            if (index.matches("[0-9]+")) {
                indexes.add(index);
            }
        }
        return indexes;
    }

    /** The key lines of one openssh-key answer, without blank lines and comments. */
    static List<String> keyLines(String answer) {
        List<String> keys = new ArrayList<>();
        for (String line : answer.split("\n")) {
            if (!line.isBlank() && !line.strip().startsWith("#")) {
                keys.add(line.strip());
            }
        }
        return keys;
    }

    /**
     * The identity a join service verifies is the pkcs7 signature (it holds the document);
     * the plain document is read to make sure it speaks for this instance and no other.
     */
    static void checkDocument(String endpoint, byte[] document, String instanceId) throws MetadataException {
        JsonNode json;
        try {
            json = JsonTree.read(document);
        } catch (IOException e) {
            throw MetadataException.invalid(endpoint, "not a JSON document");
        }
        if (json == null || !instanceId.equals(json.path("instanceId").asText())) {
            throw MetadataException.invalid(endpoint, "instanceId does not match meta-data/instance-id");
        }
    }

    private static Map<String, Secret> attributes(Map<String, Future<Optional<byte[]>>> tags) throws MetadataException {
        Map<String, Secret> attributes = new LinkedHashMap<>();
        for (var tag : tags.entrySet()) {
            Optional<byte[]> value = await(tag.getValue());
            if (value.isPresent()) {
                attributes.put(tag.getKey(), Secret.of(value.get()));
                Secret.wipe(value.get());
            } else {
                Log.info("aws: instance tag " + tag.getKey() + " not found (are tags in metadata enabled?)");
            }
        }
        return attributes;
    }

    private static byte[] required(MetadataKeys imds, String path) throws MetadataException {
        return imds.get(path, MAX_VALUE).orElseThrow(() -> notFound(imds, path));
    }

    private static Optional<String> text(MetadataKeys imds, String path) throws MetadataException {
        return imds.get(path, MAX_VALUE).map(bytes -> new String(bytes, StandardCharsets.UTF_8).strip());
    }

    private static MetadataException notFound(MetadataKeys imds, String path) {
        return new MetadataException(imds.endpoint(path), "not found (HTTP 404)");
    }

    private static <T> T await(Future<T> future) throws MetadataException {
        return Fetch.await(future, "aws");
    }
}
