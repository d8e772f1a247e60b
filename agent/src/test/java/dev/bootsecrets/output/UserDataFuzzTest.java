package dev.bootsecrets.output;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.ConfigException;
import dev.bootsecrets.config.ConfigLoader;
import dev.bootsecrets.config.UserData;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.plan.PlanException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzz target: any user-data, decoded (gzip, MIME, cloud-config, the bootsecrets section) and
 * planned against a small root. The only acceptable refusals are the project's own errors.
 */
class UserDataFuzzTest {
    private static final Config DEFAULTS = ConfigLoader.defaults();
    private static final TargetRoot ROOT = root();
    private static final Accounts ACCOUNTS = accounts();

    @FuzzTest(maxDuration = "10s")
    void decodeAndPlan(byte[] userData) {
        try {
            Config config = UserData.apply(DEFAULTS, userData);
            Planner.plan(config, InstanceMetadata.none(), Map.of(), ROOT, ACCOUNTS);
        } catch (ConfigException | PlanException e) {
            // refused with a named error: what a user gets
        }
    }

    private static TargetRoot root() {
        try {
            Path dir = Files.createTempDirectory("fuzz-root");
            Files.createDirectories(dir.resolve("etc"));
            Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\ncore:x:1000:1000::/home/core:/bin/sh\n");
            Files.writeString(dir.resolve("etc/group"), "root:x:0:\ncore:x:1000:\n");
            return TargetRoot.open(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Accounts accounts() {
        try {
            return Accounts.load(ROOT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
