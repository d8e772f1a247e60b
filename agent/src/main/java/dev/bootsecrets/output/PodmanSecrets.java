package dev.bootsecrets.output;

import dev.bootsecrets.config.Declarations.PodmanDecl;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.FileIntent.DirIntent;
import dev.bootsecrets.plan.Manifest;
import dev.bootsecrets.plan.Ownership;
import dev.bootsecrets.secret.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The values of podman secrets: {@code /run/bootsecrets/podman/NAME}, root-only, where the
 * agent's own {@code podman-secret lookup NAME} (podman's shell driver) reads them at each
 * container start. The place is the agent's, never one a declaration spells; podman itself
 * keeps only the name and the driver's commands ({@code podman-secret sync} registers them).
 */
public final class PodmanSecrets {
    public static final String DIR = "/run/bootsecrets/podman";
    static final String KIND = "podman-secret";

    private PodmanSecrets() {}

    static List<FileIntent> plan(
            List<PodmanDecl> declared, Map<String, Secret> secrets, Map<String, Manifest.Entry> tracked,
            List<String> errors) {
        List<FileIntent> intents = new ArrayList<>();
        for (PodmanDecl decl : declared) {
            Secret value = secrets.get(decl.secret());
            if (value == null) {
                continue; // the secret's own error is already reported
            }
            String path = path(decl.name());
            intents.add(new FileIntent(path, KIND, new Content.Whole(value), Ownership.ROOT, 0600, decl.origin().toString(),
                    decl.origin().fromUserData(), List.of(new DirIntent("/run/bootsecrets", Ownership.ROOT, 0700, true),
                            new DirIntent(DIR, Ownership.ROOT, 0700, true))));
            tracked.put(path, Manifest.Entry.file(path, KIND));
        }
        return intents;
    }

    /** Where the value of podman secret {@code name} (a name the schema checked) is kept. */
    public static String path(String name) {
        return DIR + "/" + name;
    }
}
