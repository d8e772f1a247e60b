package dev.bootsecrets.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bootsecrets.fs.Place;
import dev.bootsecrets.secret.Redaction;
import dev.bootsecrets.secret.Secret;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The names an intent shows stay readable although a short secret value spells a word of them. */
class FileIntentTest {
    @AfterEach
    void forget() {
        Redaction.forget();
    }

    @Test
    void itsPathSourceAndOwnerAndWhereItIsPlacedAreTheAgentsOwnNames() {
        Secret.ofUtf8("app");
        FileIntent intent = new FileIntent("/etc/app/conf", "file", new Content.Absent(), Ownership.ROOT, 0600,
                "user-data:app", true, List.of());
        assertEquals("/etc/app/conf user-data:app, lone <redacted>",
                Redaction.scrub(intent.path() + " " + intent.source() + ", lone app"));

        FileIntent placed = intent.at(new Place("/etc/app/conf", "/var/app/conf"), List.of(), List.of());
        assertEquals("/var/app/conf", Redaction.scrub(placed.path()));
        assertEquals("/var/app/conf", Redaction.scrub(placed.at(placed.place(), List.of(), List.of()).path()));
    }
}
