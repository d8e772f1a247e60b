package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.emulator.MetadataApi.Call;
import dev.bootsecrets.emulator.MetadataApi.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * ECR's GetAuthorizationToken (POST /, X-Amz-Target, JSON 1.1), signed by the instance role
 * for the scenario's region (AwsAuth checks it as AWS does). Each token is base64 of
 * {@code AWS:PASSWORD}, the password {@link RegistryTokens#password} derives for the
 * registry, good for 12 hours.
 */
final class EcrApi {
    static final String TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
    static final long TOKEN_SECONDS = 12 * 3600;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Scenario scenario;
    private final AwsKeys role;

    /** @param role null when the instance has no role */
    EcrApi(Scenario scenario, AwsKeys role) {
        this.scenario = scenario;
        this.role = role;
    }

    /** Whether {@code call} is an ECR API call. */
    static boolean wants(Call call) {
        return call.headers().getOrDefault("x-amz-target", "").startsWith("AmazonEC2ContainerRegistry_V20150921.");
    }

    Reply answer(Call call) {
        if (!call.method().equals("POST") || !call.path().equals("/")) {
            return AwsAuth.error(404, "UnknownOperationException", "Unknown operation");
        }
        var refused = AwsAuth.refusal(call, role, scenario.region(), "ecr");
        if (refused.isPresent()) {
            return refused.get();
        }
        if (!TARGET.equals(call.headers().get("x-amz-target"))) {
            return AwsAuth.error(400, "UnknownOperationException", "Unknown operation");
        }
        if (!call.headers().getOrDefault("content-type", "").startsWith("application/x-amz-json-1.1")) {
            return AwsAuth.error(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1");
        }
        JsonNode body;
        try {
            body = call.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(call.body());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            return AwsAuth.error(400, "SerializationException", "The request body is not a JSON object");
        }
        List<String> accounts = new ArrayList<>();
        for (JsonNode id : body.path("registryIds")) {
            if (!id.isTextual() || !id.asText().matches("[0-9]{12}")) {
                return AwsAuth.error(400, "InvalidParameterException", "registryIds must be 12-digit account ids");
            }
            accounts.add(id.asText());
        }
        if (accounts.isEmpty()) {
            accounts.add(AwsApi.ACCOUNT_ID);
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        ArrayNode data = answer.putArray("authorizationData");
        double expires = Instant.now().plusSeconds(TOKEN_SECONDS).getEpochSecond();
        for (String account : accounts) {
            String host = account + ".dkr.ecr." + scenario.region() + ".amazonaws.com";
            String login = "AWS:" + RegistryTokens.password(scenario, "ecr", host);
            data.addObject()
                    .put("authorizationToken", Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)))
                    .put("expiresAt", expires)
                    .put("proxyEndpoint", "https://" + host);
        }
        return new Reply(200, "application/x-amz-json-1.1", answer.toString().getBytes(StandardCharsets.UTF_8));
    }
}
