package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bootsecrets.emulator.MetadataApi.Call;
import dev.bootsecrets.emulator.MetadataApi.Reply;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * ACR's {@code POST /oauth2/exchange}: a Microsoft Entra access token of the emulated managed
 * identity becomes a refresh token for the registry named by {@code service}. Checked as ACR
 * checks: the form's grant type, a service that is a registry's host, and a token for an
 * audience ACR accepts, from this tenant, not expired. Errors are 400 for a bad form, 401 for a
 * token ACR does not accept.
 */
final class AcrApi {
    static final String PATH = "/oauth2/exchange";
    /** The audiences ACR exchanges tokens of. */
    static final Set<String> AUDIENCES = Set.of(
            "https://management.azure.com/", "https://management.azure.com", "https://containerregistry.azure.net");
    private static final Pattern REGISTRY = Pattern.compile("[a-z0-9]{5,50}\\.azurecr\\.io");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Scenario scenario;

    AcrApi(Scenario scenario) {
        this.scenario = scenario;
    }

    Reply answer(Call call) {
        if (!call.method().equals("POST")) {
            return error(405, "METHOD_NOT_ALLOWED", "the exchange takes POST");
        }
        String type = call.headers().getOrDefault("content-type", "");
        if (!type.startsWith("application/x-www-form-urlencoded")) {
            return error(400, "BAD_REQUEST", "the exchange takes a form");
        }
        Map<String, String> form = form(new String(call.body(), StandardCharsets.UTF_8));
        if (!"access_token".equals(form.get("grant_type"))) {
            return error(400, "UNSUPPORTED_GRANT_TYPE", "grant_type must be access_token");
        }
        String service = form.getOrDefault("service", "");
        if (!REGISTRY.matcher(service).matches()) {
            return error(400, "BAD_REQUEST", "service is not a registry");
        }
        if (!valid(form.getOrDefault("access_token", ""))) {
            return error(401, "UNAUTHORIZED", "the access token is not valid");
        }
        return Reply.json(200, JsonNodeFactory.instance.objectNode()
                .put("refresh_token", RegistryTokens.password(scenario, "acr", service)).toString());
    }

    /** A token of the emulated tenant for an audience ACR takes, still valid. */
    private static boolean valid(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return false;
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return claims != null
                    && AUDIENCES.contains(claims.path("aud").asText())
                    && AzureApi.TENANT.equals(claims.path("tid").asText())
                    && claims.path("exp").asLong() > System.currentTimeMillis() / 1000;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** The registry's error shape: {@code {"errors": [{"code", "message"}]}}. */
    private static Reply error(int status, String code, String message) {
        var body = JsonNodeFactory.instance.objectNode();
        body.putArray("errors").addObject().put("code", code).put("message", message);
        return Reply.json(status, body.toString());
    }
}
