package dev.bootsecrets.output;

import dev.bootsecrets.config.Declarations.PodmanDecl;
import dev.bootsecrets.fs.Account;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.FileIntent.DirIntent;
import dev.bootsecrets.plan.Manifest;
import dev.bootsecrets.plan.Ownership;
import dev.bootsecrets.secret.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The values of podman secrets: {@code /run/bootsecrets/podman/NAME}, root-only, where the
 * agent's own {@code podman-secret lookup NAME} (podman's shell driver) reads them at each
 * container start. The place is the agent's, never one a declaration spells; podman itself
 * keeps only the name and the driver's commands ({@code podman-secret sync} registers them).
 *
 * <p>A secret for a user's own (rootless) podman is that user's file instead:
 * {@code /run/bootsecrets-podman/UID/NAME}, the user's, 0600, in a 0700 directory of theirs
 * under a root-owned 0711 one (no one may list whose secrets are there), so the lookup podman
 * runs as that user reads it with the user's own rights and no one else's.
 */
public final class PodmanSecrets {
    public static final String DIR = "/run/bootsecrets/podman";
    /** Where users' own values are, one directory per uid. */
    public static final String USERS_DIR = "/run/bootsecrets-podman";
    static final String KIND = "podman-secret";
    /** A user's podman secret: another kind, since it lands in {@link #USERS_DIR}. */
    static final String USER_KIND = "podman-user-secret";

    private PodmanSecrets() {}

    static List<FileIntent> plan(
            List<PodmanDecl> declared, Map<String, Secret> secrets, Accounts accounts, Map<String, Manifest.Entry> tracked,
            List<String> errors) {
        List<FileIntent> intents = new ArrayList<>();
        for (PodmanDecl decl : declared) {
            Secret value = secrets.get(decl.secret());
            if (value == null) {
                continue; // the secret's own error is already reported
            }
            String field = decl.origin().toString();
            Optional<Where> found = where(decl, accounts, field, errors);
            if (found.isEmpty()) {
                continue;
            }
            Where to = found.get();
            intents.add(new FileIntent(to.path(), to.kind(), new Content.Whole(value), to.owner(), 0600, field,
                    decl.origin().fromUserData(), to.dirs()));
            tracked.put(to.path(), Manifest.Entry.file(to.path(), to.kind()));
        }
        return intents;
    }

    /** Where {@code decl}'s value goes; empty, with an error, when the user it names cannot have one. */
    private static Optional<Where> where(PodmanDecl decl, Accounts accounts, String field, List<String> errors) {
        if (decl.user().isEmpty()) {
            return Optional.of(Where.root(decl.name()));
        }
        Optional<Account> account = accounts.user(decl.user().get());
        if (account.isEmpty() || account.get().uid() == 0) {
            errors.add(field + ".user: " + decl.user().get() + (account.isEmpty()
                    ? " is not a user in the target root's /etc/passwd" : " has uid 0: root's podman gets the"
                            + " secret when no user is named"));
            return Optional.empty();
        }
        return Optional.of(Where.user(account.get(), decl.name(), accounts));
    }

    /** The place, kind and owner of one podman secret's value, and the directories it needs first. */
    private record Where(String path, String kind, Ownership owner, List<DirIntent> dirs) {
        /** Root's secret: the agent's own root-only directory. */
        static Where root(String name) {
            return new Where(PodmanSecrets.path(name), KIND, Ownership.ROOT, List.of(
                    new DirIntent("/run/bootsecrets", Ownership.ROOT, 0700, true),
                    new DirIntent(DIR, Ownership.ROOT, 0700, true)));
        }

        /** A user's own: their 0700 directory under a root-owned 0711 one no one may list. */
        static Where user(Account user, String name, Accounts accounts) {
            Ownership owner = Ownership.of(user, accounts);
            return new Where(userPath(user.uid(), name), USER_KIND, owner, List.of(
                    new DirIntent(USERS_DIR, Ownership.ROOT, 0711, true),
                    new DirIntent(userDir(user.uid()), owner, 0700, true)));
        }
    }

    /** Where the value of podman secret {@code name} (a name the schema checked) is kept. */
    public static String path(String name) {
        return DIR + "/" + name;
    }

    /** The directory of the values for uid {@code uid}'s own podman. */
    public static String userDir(int uid) {
        return USERS_DIR + "/" + uid;
    }

    /** Where the value of uid {@code uid}'s podman secret {@code name} is kept. */
    public static String userPath(int uid, String name) {
        return userDir(uid) + "/" + name;
    }
}
