package dev.bootsecrets.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.ConfigLoader;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.UserData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bootsecrets check}'s static checks of the outputs that refer to secrets. */
class PlannerCheckTest {
    @Test
    void everyReferenceToAnUndeclaredSecretIsAnErrorNamingItsEntry() throws Exception {
        Config config = UserData.apply(ConfigLoader.defaults(), """
                #cloud-config
                bootsecrets:
                  secrets:
                    known: {value: "inline-value"}
                  registries:
                    quay.io/org: {username: robot, password: {secret: robot}}
                    ghcr.io: {identityToken: {secret: known}}
                  credentials:
                    db: {secret: db, encrypt: host}
                  env:
                    app: {TOKEN: {secret: token}, PLAIN: x, KNOWN: {secret: known}}
                  files:
                    /etc/x: {secret: file-secret}
                """.getBytes(StandardCharsets.UTF_8));
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Planner.check(config, true, errors, warnings);
        assertEquals(List.of(
                "user-data:bootsecrets.files./etc/x: secret file-secret is not declared under secrets",
                "user-data:bootsecrets.registries.quay.io/org.password: secret robot is not declared under secrets",
                "user-data:bootsecrets.credentials.db.secret: secret db is not declared under secrets",
                "user-data:bootsecrets.env.app.TOKEN: secret token is not declared under secrets"), errors);
        assertEquals(List.of("user-data:bootsecrets.secrets.known: inline value; every reader of the metadata service can"
                + " see it (prefer metadata:, file: or a join source)"), warnings);
    }
}
