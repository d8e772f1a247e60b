package dev.bootsecrets.cloud.azure;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.ApiCall;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.SecretSourceException;
import dev.bootsecrets.cloud.SecretStore;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.secret.Secret;
import java.net.URI;
import java.util.Map;
import java.util.regex.Pattern;

/** Azure Key Vault's get secret (the latest version or a named one), with the managed identity's token. */
public final class KeyVault implements SecretStore {
    static final String API_VERSION = "7.4";
    private static final int MAX_ANSWER = 1 << 20;
    /** Key Vault's error codes: Forbidden, SecretNotFound, Unauthorized. */
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z]{1,40}");

    private final Context context;
    private ManagedIdentity identity;

    public KeyVault(Context context) {
        this.context = context;
    }

    @Override
    public Secret read(Source.FromCloud source) throws SecretSourceException {
        if (!(source instanceof Source.AzureSecret secret)) {
            throw new SecretSourceException(source.reference() + ": not an Azure source");
        }
        String reference = secret.reference();
        URI uri = URI.create(context.endpoints().azureKeyVault().replace(Settings.Endpoints.VAULT, secret.vault())
                + "/secrets/" + secret.name() + secret.version().map(v -> "/" + v).orElse("")
                + "?api-version=" + API_VERSION);
        ApiCall.Answer answer = ApiCall.send(context.api(),
                Request.get(uri, Map.of("Authorization", identity(reference).bearer()), MAX_ANSWER), context.deadline(), reference);
        JsonNode json = answer.json();
        if (answer.status() != 200) {
            String code = json == null ? "" : json.path("error").path("code").asText("");
            throw ApiCall.refused(reference, reason(answer.status()), uri, answer.status(), code, ERROR_CODE);
        }
        if (json == null || !json.path("value").isTextual()) {
            throw new SecretSourceException(reference + ": the answer has no value");
        }
        return Secret.ofUtf8(json.path("value").asText());
    }

    private static String reason(int status) {
        return switch (status) {
            case 401 -> "the managed identity's token was refused";
            case 403 -> "access denied to the VM's managed identity (it needs Key Vault Secrets User on the vault or secret)";
            case 404 -> "not found";
            default -> "refused";
        };
    }

    private synchronized ManagedIdentity identity(String reference) throws SecretSourceException {
        if (identity == null) {
            try {
                identity = ManagedIdentity.fetch(context.metadataUrl(), ManagedIdentity.KEY_VAULT, context.metadata(), context.deadline()).orElseThrow(
                        () -> new SecretSourceException(reference + ": no managed identity is assigned to this VM"));
            } catch (MetadataException e) {
                throw new SecretSourceException(reference + ": no managed identity token: " + e.getMessage(), e);
            }
        }
        return identity;
    }
}
