package dev.bootsecrets.join.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.JoinSettings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.join.Bootstrap;
import dev.bootsecrets.join.Credential;
import dev.bootsecrets.join.JoinException;
import dev.bootsecrets.join.JoinNames;
import dev.bootsecrets.join.Joined;
import dev.bootsecrets.join.Json;
import dev.bootsecrets.join.MachineKey;
import dev.bootsecrets.join.Tls;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.tls.Pem;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The generic join protocol of docs/join.md: one POST with the bootstrap token (or, after the
 * first join, the machine's certificate over mutual TLS), the instance's identity and a CSR;
 * back come named secrets and the signed certificate.
 */
public final class HttpJoin {
    /** The protocol version this agent speaks, sent as {@code version}. */
    public static final int VERSION = 1;
    static final int MAX_RESPONSE = 1024 * 1024;

    private HttpJoin() {}

    public static Joined run(
            JoinSettings join, JoinSettings.Http service, Declarations declared, InstanceMetadata metadata,
            TargetRoot root) throws JoinException {
        Deadline deadline = Deadline.in(join.deadline());
        String endpoint = MetadataHttp.endpoint(service.url());
        Optional<Credential> earlier = Credential.earlier(root, join.certificate());
        Optional<Bootstrap> bootstrap = Optional.empty();
        if (earlier.isPresent()) {
            Log.info("join: authenticating with the certificate of an earlier join (" + join.certificate().certPath() + ")");
        } else if (service.token().isPresent()) {
            bootstrap = Optional.of(Bootstrap.read(service.token().get(), "join.token", declared, metadata, root));
        } else {
            Log.info("join: no bootstrap token configured; the instance identity has to do");
        }

        MachineKey key;
        String csr;
        try {
            key = MachineKey.generate();
            csr = key.csr(JoinNames.commonName(join, metadata));
        } catch (GeneralSecurityException e) {
            throw new JoinException("join: cannot make a key and CSR (" + e.getMessage() + ")");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", VERSION);
        fields.put("provider", metadata.provider());
        fields.put("instanceId", metadata.instanceId());
        fields.put("hostname", metadata.hostname());
        fields.put("region", metadata.region());
        fields.put("zone", metadata.zone());
        fields.put("identity", metadata.identity().orElse(null));
        fields.put("csr", csr);
        Map<String, String> headers = new HashMap<>(Map.of("Content-Type", "application/json", "Accept", "application/json"));
        bootstrap.ifPresent(b -> headers.put("Authorization", "Bearer " + b.value().utf8()));

        byte[] body = Json.object(fields);
        Response response;
        try (MetadataHttp http = MetadataHttp.tls(Tls.context(root, service.caFile(), earlier))) {
            response = http.send(Request.post(service.url(), headers, body, MAX_RESPONSE), deadline);
        } catch (IOException e) {
            throw new JoinException("join service " + e.getMessage());
        } finally {
            Secret.wipe(body);
        }
        try {
            if (response.status() != 200) {
                throw refused(endpoint, response);
            }
            return joined(join, declared, key, Json.parse(response.body()), endpoint, bootstrap.flatMap(Bootstrap::file));
        } finally {
            Secret.wipe(response.body());
        }
    }

    private static Joined joined(
            JoinSettings join, Declarations declared, MachineKey key, JsonNode json, String endpoint,
            Optional<String> burn) throws JoinException {
        if (!json.isObject()) {
            throw new JoinException("join service " + endpoint + ": the answer is not a JSON object");
        }
        JsonNode offered = json.path("secrets");
        if (!offered.isMissingNode() && !offered.isObject()) {
            throw new JoinException("join service " + endpoint + ": secrets is not an object");
        }
        Map<String, Secret> secrets = new HashMap<>();
        for (SecretDecl decl : declared.secrets()) {
            if (decl.source() instanceof Source.FromJoin j) {
                Secret value = Json.secret(offered.get(j.name()));
                if (value == null) {
                    throw new JoinException("join service " + endpoint + ": gave no secret " + j.name()
                            + " as a string (declared at " + decl.origin() + ")");
                }
                secrets.put(decl.name(), value);
            }
        }
        List<X509Certificate> chain = certificates(json, key, endpoint);
        if (json.path("refreshSeconds").canConvertToInt() && json.path("refreshSeconds").intValue() > 0) {
            Log.info("join: the service suggests joining again within " + json.path("refreshSeconds").intValue() + "s");
        }
        Secret certificates;
        try {
            certificates = Secret.ofUtf8(Pem.encode(chain));
        } catch (GeneralSecurityException e) {
            throw new JoinException("join service " + endpoint + ": cannot encode the certificate");
        }
        Log.info("join: joined " + endpoint + " (secrets received: " + secrets.size() + "), certificate for "
                + chain.getFirst().getSubjectX500Principal().getName() + " until " + chain.getFirst().getNotAfter().toInstant());
        return new Joined(secrets,
                Joined.material(join.certificate(), key.privateKeyPem(), certificates, JoinNames.source(join)),
                burn.map(List::of).orElse(List.of()));
    }

    /** The signed certificate, which must be for this machine's key, then the chain. */
    private static List<X509Certificate> certificates(JsonNode json, MachineKey key, String endpoint) throws JoinException {
        List<String> issuers = new ArrayList<>();
        json.path("chain").forEach(issuer -> issuers.add(issuer.isTextual() ? issuer.textValue() : ""));
        if (!json.path("certificate").isTextual() || !(json.path("chain").isMissingNode() || json.path("chain").isArray())) {
            throw new JoinException("join service " + endpoint + ": certificate must be a PEM string, chain a list of them");
        }
        try {
            return key.chain(json.path("certificate").textValue(), issuers);
        } catch (GeneralSecurityException e) {
            throw new JoinException("join service " + endpoint + ": " + e.getMessage());
        }
    }

    /**
     * "HTTP 403 (denied)": the status and a fixed phrase. The body's {@code error} is not shown:
     * it is the server's text, which may echo what was sent; the service's own log has the reason.
     */
    private static JoinException refused(String endpoint, Response response) {
        return new JoinException("join service " + endpoint + ": HTTP " + response.status() + switch (response.status()) {
            case 400 -> " (the request was not accepted)";
            case 401 -> " (the bootstrap token is missing or not accepted)";
            case 403 -> " (denied)";
            case 404 -> " (no join endpoint at this path)";
            case 409 -> " (this instance has joined before; a later join must show the certificate of that join)";
            case 429 -> " (too many requests)";
            default -> response.status() >= 500 ? " (the join service failed)" : " (refused)";
        });
    }
}
