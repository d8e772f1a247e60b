package dev.bootsecrets.output;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bootsecrets.secret.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fuzz target: merging our logins into an existing containers-auth.json. Either the merge
 * refuses the file (left as it is) or the result is a valid file holding our entries.
 */
class AuthFileMergeFuzzTest {
    private static final AuthFile OURS = new AuthFile(
            Map.of("quay.io/fuzz", AuthFile.passwordLogin("robot", Secret.of("pw".getBytes(java.nio.charset.StandardCharsets.UTF_8)))),
            Map.of("registry.example", "ecr-login"), Set.of("auths/old.example", "credHelpers/old.example"),
            Optional.empty());

    @FuzzTest(maxDuration = "10s")
    void mergeExisting(byte[] existing) {
        byte[] merged;
        try {
            merged = OURS.merge(Optional.of(existing));
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage().endsWith("(containers-auth.json); left as it is"), e.getMessage());
            return;
        }
        var file = AuthFile.parse(merged);
        assertTrue(AuthFile.entries(file).containsAll(Set.of("auths/quay.io/fuzz", "credHelpers/registry.example")));
    }
}
