package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The EC2 instance metadata service (IMDS) under /latest/: the IMDSv2 token API and the
 * metadata, user-data, identity and role credential paths an agent reads; and, at POST /,
 * Secrets Manager and SSM ({@link AwsSecretsApi}) and ECR's GetAuthorizationToken ({@link EcrApi}),
 * whose endpoints config points here.
 */
final class AwsApi implements MetadataApi {
    static final String TOKEN_PATH = "/latest/api/token";
    static final String TOKEN_HEADER = "x-aws-ec2-metadata-token";
    static final String TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
    static final int MAX_TTL = 21600;
    static final String ACCOUNT_ID = "123456789012";
    /** The API versions served besides latest (cloud-init asks for a dated one, Ignition for 2019-10-01). */
    static final List<String> VERSIONS = List.of("2009-04-04", "2016-09-02", "2018-09-24", "2019-10-01", "2021-03-23", "latest");
    /** An interface's MAC address; cloud-init reads the primary interface's network data under it. */
    static final String MAC = "06:00:00:00:00:01";

    private record Token(long expiresAtNanos, long epoch) {}

    private final MetadataTree tree = new MetadataTree();
    private final Scenario.Aws options;
    private final Faults faults;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    /** The role's credentials; null when the scenario gives the instance no role. */
    private final AwsKeys role;
    private final EcrApi ecr;
    private final AwsSecretsApi services;

    AwsApi(Scenario scenario, Faults faults) {
        this.options = scenario.aws();
        this.faults = faults;
        tree.put("meta-data/instance-id", scenario.instanceId())
                .put("meta-data/hostname", scenario.hostname())
                .put("meta-data/local-hostname", scenario.hostname())
                .put("meta-data/placement/region", scenario.region())
                .put("meta-data/placement/availability-zone", scenario.zone())
                .put("meta-data/instance-type", "t3.micro")
                .put("meta-data/ami-id", "ami-0000000000000000")
                .put("meta-data/local-ipv4", "10.0.0.10")
                .put("meta-data/mac", MAC)
                .put("meta-data/network/interfaces/macs/" + MAC + "/device-number", "0")
                .put("meta-data/network/interfaces/macs/" + MAC + "/local-ipv4s", "10.0.0.10")
                .put("meta-data/network/interfaces/macs/" + MAC + "/mac", MAC);
        var keys = scenario.sshKeys();
        if (!keys.isEmpty()) {
            // The key list is not a plain listing: "0=name" lines, then 0/openssh-key below.
            StringBuilder listing = new StringBuilder();
            for (int i = 0; i < keys.size(); i++) {
                listing.append(i == 0 ? "" : "\n").append(i).append('=').append(keys.get(i).name());
                tree.put("meta-data/public-keys/" + i + "/openssh-key", keys.get(i).publicKey() + "\n");
            }
            tree.put("meta-data/public-keys", listing.toString());
        }
        scenario.attributes().forEach((name, value) -> tree.put("meta-data/tags/instance/" + name, value));
        scenario.userData().ifPresent(bytes -> tree.put("user-data", bytes));
        if (options.role().isEmpty()) {
            role = null;
        } else {
            role = AwsKeys.issue(options.credentialSeconds());
            tree.put("meta-data/iam/info", JsonNodeFactory.instance.objectNode()
                            .put("Code", "Success")
                            .put("InstanceProfileArn", "arn:aws:iam::" + ACCOUNT_ID + ":instance-profile/" + options.role())
                            .put("InstanceProfileId", "AIPAEMULATOREXAMPLE01").toPrettyString())
                    .put("meta-data/iam/security-credentials/" + options.role(), role.json());
        }
        ecr = new EcrApi(scenario, role);
        services = new AwsSecretsApi(scenario, role);
        byte[] document = identityDocument(scenario);
        tree.put("dynamic/instance-identity/document", document)
                .put("dynamic/instance-identity/pkcs7", Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(document));
    }

    @Override
    public Reply answer(Call call) {
        if (EcrApi.wants(call)) {
            return ecr.answer(call);
        }
        if (call.path().equals("/") && call.method().equals("POST") && call.headers().containsKey("x-amz-target")) {
            return services.answer(call);
        }
        if (call.path().equals(TOKEN_PATH)) {
            return token(call);
        }
        if (!call.method().equals("GET")) {
            return call.path().equals("/") || version(call.path()) != null ? Reply.status(405) : Reply.status(404);
        }
        if (call.path().equals("/")) {
            return authorized(call) ? Reply.text(String.join("\n", VERSIONS)) : Reply.status(401);
        }
        String version = version(call.path());
        if (version == null) {
            return Reply.status(404);
        }
        if (!authorized(call)) {
            return Reply.status(401);
        }
        String path = call.path().length() <= version.length() + 2 ? "" : call.path().substring(version.length() + 2);
        return tree.get(path).map(Reply::text).orElse(Reply.status(404));
    }

    /** The API version {@code path} asks for ("/latest/..." or a dated one), or null for another path. */
    private static String version(String path) {
        for (String version : VERSIONS) {
            if (path.equals("/" + version) || path.startsWith("/" + version + "/")) {
                return version;
            }
        }
        return null;
    }

    private Reply token(Call call) {
        if (!options.imdsv2()) {
            return Reply.status(404);
        }
        if (!call.method().equals("PUT")) {
            return Reply.status(405);
        }
        // AWS refuses a token to anything that came through a proxy.
        if (call.headers().containsKey("x-forwarded-for")) {
            return Reply.status(403);
        }
        int ttl;
        try {
            ttl = Integer.parseInt(call.headers().getOrDefault(TTL_HEADER, "").strip());
        } catch (NumberFormatException e) {
            return Reply.status(400);
        }
        if (ttl < 1 || ttl > MAX_TTL) {
            return Reply.status(400);
        }
        long now = System.nanoTime();
        tokens.values().removeIf(token -> now - token.expiresAtNanos() >= 0);
        byte[] bytes = new byte[40];
        random.nextBytes(bytes);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        long lifetime = faults.tokenTtl().map(Duration::toNanos).orElse(ttl * 1_000_000_000L);
        tokens.put(value, new Token(now + lifetime, faults.tokenEpoch()));
        return Reply.text(value).withHeader(TTL_HEADER, Integer.toString(ttl)); // the AWS SDKs read it back
    }

    private boolean authorized(Call call) {
        String value = call.headers().get(TOKEN_HEADER);
        if (value == null) {
            return options.imdsv1();
        }
        Token token = tokens.get(value);
        return token != null && token.epoch() == faults.tokenEpoch() && System.nanoTime() - token.expiresAtNanos() < 0;
    }

    /** The fields agents and join services read; the pkcs7 beside it is not a real signature. */
    private static byte[] identityDocument(Scenario scenario) {
        ObjectNode document = JsonNodeFactory.instance.objectNode()
                .put("accountId", ACCOUNT_ID)
                .put("architecture", "x86_64")
                .put("availabilityZone", scenario.zone())
                .put("instanceId", scenario.instanceId())
                .put("region", scenario.region())
                .put("version", "2017-09-30");
        return document.toPrettyString().getBytes(StandardCharsets.UTF_8);
    }
}
