package dev.bootsecrets.cloud.stage;

import dev.bootsecrets.cloud.Cloud;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The nftables rule set of {@code metadata.lockdown}: new connections to the metadata
 * addresses (every cloud's IPv4 and IPv6 ones from its descriptor, 169.254.169.254,
 * fd00:ec2::254 and fd20:ce::254, and the run's cloud's further services: on Azure the
 * wireserver 168.63.129.16 except its DNS on port 53) are refused (a TCP reset, so clients
 * fail at once) to every process but root's and, when given, those whose group is {@code gid}. nftables sees a socket's owner and its
 * process's effective group, not supplementary groups. Installed with {@code nft -f -}; one
 * transaction replaces the table of an earlier run, so running twice changes nothing.
 */
public final class MetadataLockdown {
    static final String TABLE = "inet bootsecrets";
    private static final List<String> NFT = List.of("/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft");
    private static final int TIMEOUT_SECONDS = 10;
    private static final int MAX_OUTPUT = 64 * 1024;

    private MetadataLockdown() {}

    /** The rule set, as {@code nft -f} reads it. */
    static String ruleset(String provider, OptionalInt gid, boolean containers) {
        StringBuilder rules = new StringBuilder()
                .append("add table ").append(TABLE).append('\n')
                .append("delete table ").append(TABLE).append('\n')
                .append("table ").append(TABLE).append(" {\n")
                .append("    chain output {\n")
                .append("        type filter hook output priority 0; policy accept;\n");
        addresses(rules, provider, "metadata");
        rules.append("    }\n");
        if (!containers) {
            // A container behind a bridge or NAT reaches the service through the host's forward
            // hook, where no packet has a socket owner to tell root from anyone: none pass.
            rules.append("    chain forward {\n")
                    .append("        type filter hook forward priority 0; policy accept;\n");
            addresses(rules, provider, "refused");
            rules.append("    }\n")
                    .append("    chain refused {\n")
                    .append("        ct state established,related accept\n")
                    .append("        meta l4proto tcp reject with tcp reset\n")
                    .append("        drop\n")
                    .append("    }\n");
        }
        rules
                .append("    chain metadata {\n")
                // Only new connections are judged: later packets of one root opened may come from
                // a kernel socket with no owner (a TIME_WAIT one), and must not be cut.
                .append("        ct state established,related accept\n")
                .append("        meta skuid 0 accept\n");
        gid.ifPresent(g -> rules.append("        meta skgid ").append(g).append(" accept\n"));
        // The resets the next rule sends have no socket; on a loopback (a test's namespace) they
        // come back here on their way to the client and must pass.
        return rules.append("        tcp flags & rst == rst accept\n")
                .append("        meta l4proto tcp reject with tcp reset\n")
                .append("        drop\n")
                .append("    }\n")
                .append("}\n")
                .toString();
    }

    /**
     * The rules that send traffic to the metadata addresses to {@code chain}: every cloud's,
     * whichever the run found, and the further services of the run's cloud.
     */
    private static void addresses(StringBuilder rules, String provider, String chain) {
        rules.append("        ip daddr ").append(set(Providers.CLOUDS.stream().map(c -> c.ipv4().getHost())))
                .append(" jump ").append(chain).append('\n')
                .append("        ip6 daddr ").append(set(Providers.CLOUDS.stream().flatMap(c -> c.ipv6().stream())
                        .map(u -> u.getHost().replaceAll("[\\[\\]]", ""))))
                .append(" jump ").append(chain).append('\n');
        for (Cloud.Guarded guarded : Providers.named(provider).map(Cloud::guarded).orElse(List.of())) {
            rules.append("        ip daddr ").append(guarded.ipv4())
                    .append(guarded.open().isPresent() ? " tcp dport != " + guarded.open().getAsInt() : "")
                    .append(" jump ").append(chain).append('\n');
        }
    }

    /** One address as it is, several as an nftables set, sorted so the rule set's text does not move. */
    private static String set(Stream<String> addresses) {
        List<String> distinct = addresses.distinct().sorted().toList();
        return distinct.size() == 1 ? distinct.getFirst() : "{ " + String.join(", ", distinct) + " }";
    }

    /**
     * Installs the rule set in this process's network namespace.
     *
     * @throws IOException naming why (no nft, or its exit code and first line of output)
     */
    public static void apply(String provider, OptionalInt gid, boolean containers) throws IOException {
        Path nft = NFT.stream().map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IOException("metadata lockdown: nft not found (install nftables)"));
        ProcessBuilder builder = new ProcessBuilder(nft.toString(), "-f", "-").redirectErrorStream(true);
        builder.environment().clear();
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(ruleset(provider, gid, containers).getBytes(StandardCharsets.UTF_8));
        }
        byte[] output;
        try (InputStream out = process.getInputStream()) {
            output = out.readNBytes(MAX_OUTPUT);
        }
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("metadata lockdown: nft did not finish within " + TIMEOUT_SECONDS + "s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("metadata lockdown: interrupted while nft ran");
        }
        if (process.exitValue() != 0) {
            String first = new String(output, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            throw new IOException("metadata lockdown: nft exited with " + process.exitValue()
                    + (first.isEmpty() ? "" : " (" + first + ")"));
        }
    }
}
