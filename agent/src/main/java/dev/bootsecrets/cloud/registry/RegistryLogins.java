package dev.bootsecrets.cloud.registry;

import dev.bootsecrets.fs.RunLock;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.log.Log;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The credential helper's answer for one registry: a cached token while it is fresh, else a
 * new one from the issuer of the registry's cloud, which is kept for the next call. A registry
 * of another cloud than the machine's gets nothing: its identity could not be asked for one.
 */
public final class RegistryLogins {
    /** Gets a new token for a registry of one cloud from the machine's identity. */
    public interface Issuer {
        RegistryToken issue(RegistryHost host, Deadline deadline) throws RegistryException;
    }

    /** The HTTPS client the issuers share, made when the first of them needs it. */
    public interface Client {
        MetadataHttp http() throws RegistryException;
    }

    private final Map<String, Issuer> issuers;
    private final TokenCache cache;
    private final Clock clock;

    /** @param issuers by provider name (aws, gcp, azure) */
    public RegistryLogins(Map<String, Issuer> issuers, TokenCache cache, Clock clock) {
        this.issuers = Map.copyOf(issuers);
        this.cache = cache;
        this.clock = clock;
    }

    /**
     * @param cloud the machine's provider, as the agent detects it
     * @return empty when this machine's identity does not serve {@code host}
     */
    public Optional<RegistryToken> get(RegistryHost host, Optional<String> cloud, Deadline deadline)
            throws RegistryException {
        if (cloud.isEmpty() || !cloud.get().equals(host.provider())) {
            Log.notice(host.host() + " is a registry of " + host.provider() + " but this machine is "
                    + cloud.map(c -> "on " + c).orElse("on no cloud detected") + "; no credentials for it");
            return Optional.empty();
        }
        Issuer issuer = issuers.get(host.provider());
        if (issuer == null) {
            return Optional.empty();
        }
        Optional<RegistryToken> cached = cached(host);
        if (cached.isPresent()) {
            return cached;
        }
        // Many pulls start at once at boot: one fetches, the others wait for it and read its token.
        Optional<RunLock> lock = cache.lock(host, deadline);
        try {
            cached = lock.isPresent() ? cached(host) : Optional.empty();
            return cached.isPresent() ? cached : Optional.of(fetch(host, issuer, deadline));
        } finally {
            lock.ifPresent(RunLock::close);
        }
    }

    private Optional<RegistryToken> cached(RegistryHost host) {
        Optional<RegistryToken> cached = cache.get(host);
        cached.ifPresent(t -> Log.debug(host.host() + ": cached token, good until " + t.expiresAt()));
        return cached;
    }

    private RegistryToken fetch(RegistryHost host, Issuer issuer, Deadline deadline) throws RegistryException {
        RegistryToken token = issuer.issue(host, deadline);
        if (!token.freshAt(clock.instant(), TokenCache.MARGIN_SECONDS)) {
            // handed out as it is, but kept for no later call
            Log.warn(host.host() + ": the new token expires within " + TokenCache.MARGIN_SECONDS + " s; not cached");
            return token;
        }
        cache.put(host, token);
        Log.info(host.host() + ": new token, good until " + token.expiresAt());
        return token;
    }
}
