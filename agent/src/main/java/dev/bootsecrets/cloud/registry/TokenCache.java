package dev.bootsecrets.cloud.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.fs.RunLock;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Registry tokens kept between calls of the credential helper, one root-only file per registry
 * host under /run (gone at the next boot), so that a pull storm asks the cloud once per token
 * lifetime. A token is used until {@link #MARGIN_SECONDS} before it expires. The cache is an
 * optimization: a file that cannot be read or written is logged and the token fetched anew.
 */
public final class TokenCache {
    public static final String DIR = "/run/bootsecrets/registry-tokens";
    /** A token this close to expiring is fetched again: a pull that starts must not end with a dead token. */
    public static final long MARGIN_SECONDS = 300;
    private static final int MAX_FILE = 64 * 1024;

    private final TargetRoot root;
    private final Clock clock;

    public TokenCache(TargetRoot root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    /** The cached token for {@code host}, if there is one that is fresh enough. */
    public Optional<RegistryToken> get(RegistryHost host) {
        byte[] bytes = null;
        try {
            Optional<byte[]> read = root.read(path(host), MAX_FILE);
            if (read.isEmpty()) {
                return Optional.empty();
            }
            bytes = read.get();
            JsonNode node = parse(bytes);
            if (node == null || !node.path("username").isTextual() || !node.path("secret").isTextual()
                    || !node.path("expiresAt").canConvertToLong()) {
                Log.warn(path(host) + ": not a cached token; fetching a new one");
                return Optional.empty();
            }
            RegistryToken token = new RegistryToken(node.get("username").asText(),
                    Secret.ofUtf8(node.get("secret").asText()), Instant.ofEpochSecond(node.get("expiresAt").asLong()));
            return token.freshAt(clock.instant(), MARGIN_SECONDS) ? Optional.of(token) : Optional.empty();
        } catch (IOException e) {
            // the message names the path and the reason, never the content
            Log.warn("registry token cache: " + path(host) + ": " + reason(e) + "; fetching a new one");
            return Optional.empty();
        } finally {
            if (bytes != null) {
                Secret.wipe(bytes);
            }
        }
    }

    /** Keeps {@code token} for {@code host}: root-owned 0600 in a 0700 directory, written whole or not at all. */
    public void put(RegistryHost host, RegistryToken token) {
        ObjectNode node = JsonNodeFactory.instance.objectNode()
                .put("username", token.username())
                .put("secret", token.secret().utf8())
                .put("expiresAt", token.expiresAt().getEpochSecond());
        byte[] bytes = null;
        try {
            bytes = JsonTree.write(node);
            root.ensureDirectory(DIR, 0, 0, 0700);
            root.write(path(host), bytes, 0, 0, 0600);
            root.syncDirectories();
        } catch (IOException e) {
            Log.warn("registry token cache: " + path(host) + ": " + reason(e) + "; the token is not kept");
        } finally {
            if (bytes != null) {
                Secret.wipe(bytes);
            }
        }
    }

    /**
     * The lock on fetching {@code host}'s token, so that concurrent calls make one fetch and the
     * others take its result from the cache; waited for until {@code deadline}. Empty when it
     * cannot be had (logged): the caller then fetches on its own, as without a cache.
     */
    public Optional<RunLock> lock(RegistryHost host, Deadline deadline) {
        String path = path(host) + ".lock";
        try {
            root.ensureDirectory(DIR, 0, 0, 0700);
            return Optional.of(RunLock.acquire(root, path, deadline.remaining().truncatedTo(ChronoUnit.MILLIS), "another fetch of this registry's token"));
        } catch (IOException e) {
            Log.warn("registry token cache: " + reason(e) + "; fetching without waiting for it");
            return Optional.empty();
        }
    }

    /** The file's JSON, or null; a parser's message would quote the content, so none is kept. */
    private static JsonNode parse(byte[] bytes) {
        try {
            return JsonTree.read(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    static String path(RegistryHost host) {
        // host names are letters, digits, '.' and '-' (RegistryHost's patterns), so a safe file name
        return DIR + "/" + host.host();
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
