package dev.bootsecrets.cloud.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bootsecrets.cloud.registry.RegistryException;
import dev.bootsecrets.cloud.registry.RegistryHost;
import dev.bootsecrets.cloud.registry.RegistryToken;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * ECR's GetAuthorizationToken (JSON 1.1 protocol, signed for the service {@code ecr}): its
 * token is base64 of {@code AWS:PASSWORD}, good for 12 hours, for every registry the role may
 * pull from in the region.
 */
public final class Ecr {
    public static final String USERNAME = "AWS";
    public static final String SERVICE = "ecr";
    public static final String TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
    public static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private Ecr() {}

    /** The request body: the registry's account, so the token is for that registry. */
    public static byte[] body(RegistryHost.Ecr host) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        return JsonTree.text(nodes.objectNode().set("registryIds", nodes.arrayNode().add(host.account())))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The login in a 200 answer; {@code body} is wiped. */
    public static RegistryToken parse(RegistryHost.Ecr host, byte[] body) throws RegistryException {
        JsonNode data;
        try {
            data = JsonTree.read(body).path("authorizationData").path(0);
        } catch (IOException | NullPointerException e) {
            data = null;
        } finally {
            Secret.wipe(body);
        }
        if (data == null || !data.path("authorizationToken").isTextual() || !data.path("expiresAt").isNumber()) {
            throw new RegistryException(host.host() + ": ECR's GetAuthorizationToken answered without authorizationData");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(data.get("authorizationToken").asText());
        } catch (IllegalArgumentException e) {
            throw new RegistryException(host.host() + ": ECR's authorizationToken is not base64");
        }
        byte[] prefix = (USERNAME + ":").getBytes(StandardCharsets.US_ASCII);
        if (decoded.length <= prefix.length || !Arrays.equals(decoded, 0, prefix.length, prefix, 0, prefix.length)) {
            Secret.wipe(decoded);
            throw new RegistryException(host.host() + ": ECR's authorizationToken is not AWS:PASSWORD");
        }
        Secret password = Secret.of(Arrays.copyOfRange(decoded, prefix.length, decoded.length));
        Secret.wipe(decoded);
        Instant expires = Instant.ofEpochMilli((long) (data.get("expiresAt").asDouble() * 1000));
        return new RegistryToken(USERNAME, password, expires);
    }
}
