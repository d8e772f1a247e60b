package dev.bootsecrets.cloud;

import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Which of a cloud's metadata addresses this machine reaches, found with a TCP connect before
 * the first request: IPv4, else the cloud's IPv6 address when IPv4 has no route (an IPv6-only
 * subnet). A connect that the kernel refuses with "permission denied" is systemd's lock
 * ({@code systemd.imds.network=locked} installs a {@code prohibit} route that only
 * systemd-imdsd's marked sockets pass): that is said at once instead of retried to the deadline.
 */
public final class MetadataRoute {
    private static final Duration CONNECT = Duration.ofSeconds(1);
    private static final Duration PAUSE = Duration.ofMillis(200);

    /** What a connect to an address met. */
    enum Reach {
        /** It connected. */
        OPEN,
        /** A prohibit route (EACCES) or a firewall's EPERM. */
        LOCKED,
        /** No route (the network is not up, or this family has no address here). */
        NO_ROUTE,
        /** Refused, timed out or other: the requests and their retries will say. */
        OTHER
    }

    private MetadataRoute() {}

    /**
     * The base URL to reach {@code cloud}'s metadata at: {@code metadata.url} when set, else the
     * address {@code metadata.address} pins or the first that connects before {@code deadline}.
     *
     * @throws MetadataException when the address is locked and no other one connects
     */
    public static URI endpoint(Cloud cloud, Settings settings, Deadline deadline) throws MetadataException {
        if (settings.metadataUrl().isPresent()) {
            return settings.metadataUrl().get();
        }
        boolean pinned = settings.route().address() != Settings.Address.AUTO || !cloud.pinned(settings).equals(cloud.ipv4());
        Optional<URI> fallback = pinned ? Optional.empty() : cloud.ipv6();
        URI first = cloud.pinned(settings);
        while (true) {
            Reach reach = probe(first);
            if (reach == Reach.OPEN || reach == Reach.OTHER) {
                return first;
            }
            if (fallback.isPresent() && probe(fallback.get()) == Reach.OPEN) {
                Log.info(cloud.name() + ": " + first.getHost() + " is " + (reach == Reach.LOCKED ? "locked" : "unreachable")
                        + "; using the IPv6 metadata address " + fallback.get().getHost());
                return fallback.get();
            }
            if (reach == Reach.LOCKED) {
                throw locked(cloud, first, settings);
            }
            if (deadline.remaining().compareTo(PAUSE) < 0) {
                return first; // no route yet: the requests fail with the deadline
            }
            pause();
        }
    }

    /** The one-line cause of a locked metadata address. */
    static MetadataException locked(Cloud cloud, URI address, Settings settings) {
        String socket = settings.route().imdsd();
        String lock = "connecting is not permitted: systemd locked the metadata address (systemd.imds.network=locked"
                + " adds a prohibit route only systemd-imdsd passes)";
        return new MetadataException(address.getHost(), Files.exists(Path.of(socket))
                ? lock + "; systemd-imdsd at " + socket + " reads metadata through it, but not the instance's credentials"
                        + " and tokens, which " + cloud.name() + " gives only directly (boot without the lock to use them)"
                : lock + ", and no systemd-imdsd answers at " + socket + " (enable systemd-imdsd.socket, or use "
                        + cloud.name() + " without the lock)");
    }

    /** One TCP connect to the address's port, closed at once. */
    static Reach probe(URI address) {
        int port = address.getPort() < 0 ? 80 : address.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.getHost().replace("[", "").replace("]", ""), port),
                    (int) CONNECT.toMillis());
            return Reach.OPEN;
        } catch (BindException e) {
            return Reach.LOCKED; // a connect's EACCES comes as a BindException
        } catch (SocketException e) {
            String why = String.valueOf(e.getMessage());
            return why.contains("not permitted") ? Reach.LOCKED
                    : why.contains("unreachable") || e instanceof java.net.NoRouteToHostException ? Reach.NO_ROUTE
                    : Reach.OTHER;
        } catch (IOException e) {
            return Reach.OTHER;
        }
    }

    private static void pause() throws MetadataException {
        try {
            Thread.sleep(PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataException("metadata", "interrupted while waiting for a route", e);
        }
    }
}
