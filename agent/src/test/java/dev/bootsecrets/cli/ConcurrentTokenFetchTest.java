package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.HelperInstall;
import dev.bootsecrets.testing.Tool;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A boot that starts many containers at once: their pulls run the credential helper together.
 * Twenty helper processes asking for one registry's token on an empty cache make the requests
 * of one fetch (one waits for the token, the others for its lock, then read the cache), for
 * each kind of registry, and the cached token is whole. Run as processes: the executable
 * under test, or the JVM launcher.
 */
class ConcurrentTokenFetchTest {
    static final int PULLS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"aws, " + CredentialHelperTest.ECR, "gcp, " + CredentialHelperTest.GAR, "azure, " + CredentialHelperTest.ACR})
    void twentyConcurrentGetsMakeOneFetch(String provider, String registry) throws Exception {
        Path program = Agent.BINARY.orElseGet(() -> HelperInstall.installUnchecked(dir.resolve("bin")).resolve("bootsecrets"));
        try (Emulator emulator = Emulator.start(provider, new InetSocketAddress("127.0.0.1", 0), Scenario.sample(provider))) {
            Path one = machine(dir.resolve("one"), provider, emulator);
            Tool.Result alone = get(program, one, registry);
            assertEquals(0, alone.exit(), alone.toString());
            int oneFetch = emulator.log().count();
            assertTrue(oneFetch > 0);
            emulator.log().clear();

            Path many = machine(dir.resolve("many"), provider, emulator);
            var pool = Executors.newFixedThreadPool(PULLS);
            List<CompletableFuture<Tool.Result>> gets = new ArrayList<>();
            for (int i = 0; i < PULLS; i++) {
                gets.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return get(program, many, registry);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            List<String> secrets = new ArrayList<>();
            for (CompletableFuture<Tool.Result> g : gets) {
                Tool.Result r = g.join();
                assertEquals(0, r.exit(), r.toString());
                secrets.add(JSON.readTree(r.stdout()).get("Secret").asText());
            }
            pool.shutdown();

            assertEquals(oneFetch, emulator.log().count(), PULLS + " concurrent gets made more requests than one fetch: "
                    + emulator.log().requests());
            assertEquals(1, secrets.stream().distinct().count(), "the gets were given different tokens");
            JsonNode cached = JSON.readTree(many.resolve("run/bootsecrets/registry-tokens/" + registry).toFile());
            assertEquals(secrets.get(0), cached.get("secret").asText(), "the cache holds another token");
        }
    }

    private static Path machine(Path root, String provider, Emulator emulator) throws Exception {
        Agent.writeConfig(root, """
                provider: %s
                metadata: {url: "%s"}
                endpoints: {ecr: "%s", acr: "%s/oauth2/exchange"}
                """.formatted(provider, emulator.url(), emulator.url(), emulator.url()));
        Files.createDirectories(root.resolve("run"));
        return root;
    }

    private static Tool.Result get(Path program, Path root, String registry) throws Exception {
        return Tool.run(List.of(program.toString(), "credential-helper", "--root", root.toString(), "get"),
                Map.of("BOOTSECRETS_JAVA", System.getProperty("java.home")), registry.getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(5));
    }
}
