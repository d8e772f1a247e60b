package dev.bootsecrets.config;

import dev.bootsecrets.config.Declarations.Source;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code from:} references of the clouds' secrets managers. Each is checked whole here, so
 * a request built from it later cannot carry anything but a name.
 */
final class CloudSources {
    private static final Pattern AWS_NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");
    private static final Pattern AWS_ARN = Pattern.compile(
            "arn:aws[a-z-]*:secretsmanager:([a-z]{2}(?:-[a-z]+)+-[0-9]):[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(?:-[a-z]+)+-[0-9]");
    private static final Pattern STAGE = Pattern.compile("[A-Za-z0-9_.-]{1,256}");
    private static final Pattern VERSION_ID = Pattern.compile("[A-Za-z0-9-]{32,64}");
    private static final Pattern JSON_KEY = Pattern.compile("[^\\p{Cntrl}]{1,256}");
    private static final Pattern SSM_NAME = Pattern.compile("[A-Za-z0-9_./-]{1,2048}");
    private static final Pattern GCP = Pattern.compile(
            "(?:projects/([a-z0-9][a-z0-9-]{0,62})/)?secrets/([A-Za-z0-9_-]{1,255})(?:/versions/(latest|[1-9][0-9]{0,18}))?");
    private static final Pattern AZURE = Pattern.compile("([A-Za-z][A-Za-z0-9-]{2,23})/([A-Za-z0-9-]{1,127})(?:/([A-Za-z0-9]{1,64}))?");

    static final String AWS_FORM = "aws-secretsmanager:NAME or ARN, then ?stage=STAGE or ?version=ID, &region=REGION, #JSONKEY, all optional";
    static final String SSM_FORM = "aws-ssm:/PARAMETER/NAME, then ?region=REGION, optional";
    static final String GCP_FORM = "gcp-secretmanager:[projects/PROJECT/]secrets/SECRET[/versions/VERSION|latest]";
    static final String AZURE_FORM = "azure-keyvault:VAULT/NAME[/VERSION]";

    private CloudSources() {}

    /** The source, or empty when {@code rest} is not of {@code kind}'s form ({@link #form}). */
    static Optional<Source> parse(String kind, String rest) {
        return switch (kind) {
            case Source.AWS_SECRETS_MANAGER -> awsSecret(rest);
            case Source.AWS_SSM -> awsParameter(rest);
            case Source.GCP_SECRET_MANAGER -> gcpSecret(rest);
            case Source.AZURE_KEY_VAULT -> azureSecret(rest);
            default -> throw new IllegalArgumentException("not a cloud source kind: " + kind);
        };
    }

    static String form(String kind) {
        return switch (kind) {
            case Source.AWS_SECRETS_MANAGER -> AWS_FORM;
            case Source.AWS_SSM -> SSM_FORM;
            case Source.GCP_SECRET_MANAGER -> GCP_FORM;
            default -> AZURE_FORM;
        };
    }

    private static Optional<Source> awsSecret(String rest) {
        int hash = rest.indexOf('#');
        Optional<String> key = hash < 0 ? Optional.empty() : Optional.of(rest.substring(hash + 1));
        String reference = hash < 0 ? rest : rest.substring(0, hash);
        if (key.isPresent() && !JSON_KEY.matcher(key.get()).matches()) {
            return Optional.empty();
        }
        int question = reference.indexOf('?');
        String id = question < 0 ? reference : reference.substring(0, question);
        Optional<Map<String, String>> options = options(question < 0 ? "" : reference.substring(question + 1));
        if (options.isEmpty() || !options.get().keySet().stream().allMatch(o -> o.equals("stage") || o.equals("version") || o.equals("region"))) {
            return Optional.empty();
        }
        Optional<String> stage = Optional.ofNullable(options.get().get("stage"));
        Optional<String> version = Optional.ofNullable(options.get().get("version"));
        Optional<String> region = Optional.ofNullable(options.get().get("region"));
        Matcher arn = AWS_ARN.matcher(id);
        boolean isArn = arn.matches();
        if (!(isArn || (AWS_NAME.matcher(id).matches() && !id.startsWith("arn:")))
                || (stage.isPresent() && version.isPresent())
                || !stage.map(s -> STAGE.matcher(s).matches()).orElse(true)
                || !version.map(v -> VERSION_ID.matcher(v).matches()).orElse(true)
                || !region.map(r -> REGION.matcher(r).matches()).orElse(true)) {
            return Optional.empty();
        }
        if (isArn && region.isEmpty()) {
            region = Optional.of(arn.group(1));
        }
        return Optional.of(new Source.AwsSecret(id, stage, version, region, key));
    }

    private static Optional<Source> awsParameter(String rest) {
        int question = rest.indexOf('?');
        String name = question < 0 ? rest : rest.substring(0, question);
        Optional<Map<String, String>> options = options(question < 0 ? "" : rest.substring(question + 1));
        if (options.isEmpty() || !options.get().keySet().stream().allMatch(o -> o.equals("region"))
                || !SSM_NAME.matcher(name).matches() || name.contains("//") || name.endsWith("/")) {
            return Optional.empty();
        }
        Optional<String> region = Optional.ofNullable(options.get().get("region"));
        if (!region.map(r -> REGION.matcher(r).matches()).orElse(true)) {
            return Optional.empty();
        }
        return Optional.of(new Source.AwsParameter(name, region));
    }

    private static Optional<Source> gcpSecret(String rest) {
        Matcher m = GCP.matcher(rest);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Source.GcpSecret(Optional.ofNullable(m.group(1)), m.group(2),
                m.group(3) == null ? "latest" : m.group(3)));
    }

    private static Optional<Source> azureSecret(String rest) {
        Matcher m = AZURE.matcher(rest);
        if (!m.matches() || m.group(1).endsWith("-") || m.group(1).contains("--")) {
            return Optional.empty();
        }
        return Optional.of(new Source.AzureSecret(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2),
                Optional.ofNullable(m.group(3))));
    }

    /** {@code a=1&b=2}: each name once, each with a value; empty for anything else. */
    private static Optional<Map<String, String>> options(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return Optional.of(out);
        }
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1 || out.put(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
                return Optional.empty();
            }
        }
        return Optional.of(out);
    }
}
