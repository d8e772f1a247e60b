package dev.bootsecrets.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.config.Declarations.RegistryDecl;
import dev.bootsecrets.config.Declarations.RegistryLogin;
import dev.bootsecrets.config.Settings.RegistryAuth;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.FileIntent.DirIntent;
import dev.bootsecrets.plan.Manifest;
import dev.bootsecrets.plan.Ownership;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Registry logins in containers-auth.json: for bootc (ostree's auth file) and, when the config
 * asks, for podman. bootc reads only the first of /run, /etc and /usr/lib/ostree/auth.json that
 * exists, so the file bootsecrets writes also carries the entries of the files below it, or it
 * would hide them; and it is written (as {@code {"auths": {}}} at least) whenever a registry is
 * declared, even one served only by a credential helper.
 */
final class Registries {
    static final String KIND = "registry-auth";
    static final String RUN_OSTREE = "/run/ostree/auth.json";
    static final String ETC_OSTREE = "/etc/ostree/auth.json";
    static final String USR_OSTREE = "/usr/lib/ostree/auth.json";
    static final String RUN_PODMAN = "/run/containers/0/auth.json";
    static final String ETC_PODMAN = "/etc/containers/auth.json";
    static final int MODE = 0600;
    static final int MAX_FILE = 4 << 20;

    /**
     * One auth file to write.
     *
     * @param carries lower files whose entries it must carry, highest first
     * @param logins  whether it gets the username/password and token logins (secrets), or only
     *                the credential helpers (names)
     * @param always  written whenever a registry is declared (bootc's file), not only when it
     *                gets an entry
     */
    record Target(String path, List<String> carries, boolean logins, boolean always, List<DirIntent> dirs) {}

    private Registries() {}

    /** The files registry logins go to under {@code settings}. */
    static List<Target> targets(RegistryAuth settings) {
        List<Target> out = new ArrayList<>();
        out.add(settings.persist()
                ? new Target(ETC_OSTREE, List.of(USR_OSTREE), true, true, List.of())
                : new Target(RUN_OSTREE, List.of(ETC_OSTREE, USR_OSTREE), true, true, List.of()));
        if (settings.podman()) {
            out.add(new Target(RUN_PODMAN, List.of(), true, false,
                    List.of(new DirIntent("/run/containers/0", Ownership.ROOT, 0700, false))));
            // /etc is persistent: logins (secrets) go there only when the config persists them
            out.add(new Target(ETC_PODMAN, List.of(), settings.persist(), false, List.of()));
        }
        return out;
    }

    static List<FileIntent> plan(
            List<RegistryDecl> declared, RegistryAuth settings, Map<String, Secret> secrets, TargetRoot root,
            Manifest previous, Map<String, Manifest.Entry> tracked, List<String> errors,
            List<String> warnings) {
        if (declared.isEmpty()) {
            return List.of();
        }
        Map<String, Secret> logins = new LinkedHashMap<>();
        Map<String, String> helpers = new LinkedHashMap<>();
        List<String> sources = new ArrayList<>();
        boolean fromUserData = false;
        for (RegistryDecl decl : declared) {
            sources.add(decl.origin().toString());
            fromUserData |= decl.origin().fromUserData();
            switch (decl.login()) {
                case RegistryLogin.Password p -> {
                    Secret password = secrets.get(p.secret());
                    if (password != null) {
                        logins.put(decl.registry(), AuthFile.passwordLogin(p.username(), password));
                    }
                }
                case RegistryLogin.IdentityToken t -> {
                    Secret token = secrets.get(t.secret());
                    if (token != null) {
                        byte[] bytes = token.bytes();
                        Optional<String> problem = EnvFiles.textProblem(bytes);
                        Secret.wipe(bytes);
                        if (problem.isPresent()) {
                            errors.add(decl.origin() + ": the identity token (secret " + t.secret() + ") " + problem.get());
                        } else {
                            logins.put(decl.registry(), AuthFile.tokenLogin(t.username(), token.utf8()));
                        }
                    }
                }
                case RegistryLogin.Helper h -> helpers.put(decl.registry(), h.helper());
            }
        }
        if (settings.persist() && exists(root, RUN_OSTREE) && previous.get(RUN_OSTREE).isEmpty()) {
            warnings.add(RUN_OSTREE + " exists and bootc reads it first: the logins in " + ETC_OSTREE
                    + " are hidden from bootc until it is gone");
        }
        List<FileIntent> intents = new ArrayList<>();
        for (Target t : targets(settings)) {
            Map<String, Secret> own = t.logins() ? logins : Map.of();
            if (own.isEmpty() && helpers.isEmpty() && !t.always()) {
                continue;
            }
            Set<String> entries = new TreeSet<>();
            own.keySet().forEach(k -> entries.add(AuthFile.AUTHS + "/" + k));
            helpers.keySet().forEach(k -> entries.add(AuthFile.HELPERS + "/" + k));
            Set<String> drop = dropped(previous, t.path());
            Content content;
            Set<String> carried = new TreeSet<>();
            try {
                AuthFile.Lower lower = lower(t, root);
                lower.entries().stream().filter(e -> !entries.contains(e)).forEach(carried::add);
                content = new Content.Merged(new AuthFile(own, helpers, drop, lower.json()));
            } catch (IllegalStateException e) {
                content = failing(e.getMessage());
            }
            intents.add(new FileIntent(t.path(), KIND, content, Ownership.ROOT, MODE, String.join(", ", sources), fromUserData, t.dirs()));
            tracked.put(t.path(), new Manifest.Entry(t.path(), KIND, false, List.copyOf(entries), List.copyOf(carried)));
        }
        return intents;
    }

    /**
     * Takes bootsecrets' entries back out of an auth file it wrote before, now that it declares
     * no registry for it: the file is removed if bootsecrets made it and nothing else is in it,
     * else rewritten without them. Empty when the file is gone.
     */
    static Optional<FileIntent> takeBack(Manifest.Entry before, TargetRoot root, Map<String, Manifest.Entry> tracked) {
        Set<String> drop = new TreeSet<>(before.entries());
        drop.addAll(before.carried());
        Content content;
        try {
            Optional<byte[]> bytes = root.read(before.path(), MAX_FILE);
            if (bytes.isEmpty()) {
                return Optional.empty();
            }
            Set<String> others = AuthFile.entries(parseOrFail(bytes.get(), before.path()));
            Secret.wipe(bytes.get());
            others.removeAll(drop);
            if (before.created() && others.isEmpty()) {
                return Optional.of(FileIntent.removal(before.path(), KIND));
            }
            content = new Content.Merged(new AuthFile(Map.of(), Map.of(), drop, Optional.empty()));
        } catch (IOException | IllegalStateException e) {
            content = failing(e.getMessage());
        }
        tracked.put(before.path(), Manifest.Entry.file(before.path(), KIND));
        return Optional.of(new FileIntent(before.path(), KIND, content, Ownership.ROOT, MODE, FileIntent.NO_LONGER_DECLARED,
                false, List.of()));
    }

    private static boolean exists(TargetRoot root, String path) {
        try {
            return root.exists(path);
        } catch (IOException e) {
            return true; // something is there, and unsafe to look at
        }
    }

    /** What bootsecrets wrote into {@code path} before (its own logins and copies), to take out first. */
    private static Set<String> dropped(Manifest previous, String path) {
        Set<String> drop = new TreeSet<>();
        previous.get(path).ifPresent(e -> {
            drop.addAll(e.entries());
            drop.addAll(e.carried());
        });
        return drop;
    }

    /** The lower files' entries; a lower file that cannot be read fails this target, not the plan. */
    private static AuthFile.Lower lower(Target t, TargetRoot root) {
        List<ObjectNode> files = new ArrayList<>();
        for (String source : t.carries()) {
            try {
                Optional<byte[]> bytes = root.read(source, MAX_FILE);
                if (bytes.isPresent()) {
                    files.add(parseOrFail(bytes.get(), source));
                    Secret.wipe(bytes.get());
                }
            } catch (IOException e) {
                throw new IllegalStateException(source + ": " + e.getMessage() + "; left as it is, as it would hide that file's logins");
            }
        }
        return AuthFile.Lower.of(files);
    }

    private static ObjectNode parseOrFail(byte[] bytes, String path) {
        try {
            return AuthFile.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(path + " " + e.getMessage() + " (containers-auth.json); left as it is");
        }
    }

    /** Content that fails at apply time with {@code message}: that output fails, the others are written. */
    private static Content failing(String message) {
        return new Content.Merged(existing -> {
            throw new IllegalStateException(message);
        });
    }
}
