package dev.bootsecrets.plan;

import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import dev.bootsecrets.fs.Account;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.fs.Place;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.fs.UnsafePathException;
import dev.bootsecrets.plan.FileIntent.DirIntent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where each output and each {@code file:} read really lands in the target root, and whether
 * whoever declared it may land there. Every path is resolved through exactly the symlinks the
 * writer follows (bootc's {@code /home -> var/home}, {@code /var/run -> ../run}), and every rule
 * is judged on that place, never on the spelling: {@code /var/run/credstore/x} <em>is</em>
 * {@code /run/credstore/x}. The policy's own paths (writePaths, readPaths, what is never
 * written) are resolved the same way, so an image may name them either way. The writer then
 * reaches the place again without following any link ({@link TargetRoot#write(Place, byte[], int, int, int)}),
 * so what was judged is what is written.
 */
public final class Placement {
    /** Resolves declared paths: in a target root, or taken as spelled where there is none ({@code check} offline). */
    public interface Resolver {
        /** A file to write: directories followed, a link at the end is the place itself. */
        Place place(String path) throws IOException;

        /** A file to read, or a directory: a safe link at the end is followed too. */
        Place placeToRead(String path) throws IOException;

        static Resolver in(TargetRoot root) {
            return new Resolver() {
                @Override
                public Place place(String path) throws IOException {
                    return root.place(path);
                }

                @Override
                public Place placeToRead(String path) throws IOException {
                    return root.placeToRead(path);
                }
            };
        }

        Resolver AS_SPELLED = new Resolver() {
            @Override
            public Place place(String path) {
                return new Place(path, path);
            }

            @Override
            public Place placeToRead(String path) {
                return new Place(path, path);
            }
        };
    }

    /** An account's ~/.ssh, where it really is: a write there is an SSH key grant to it. */
    private record SshDir(Account account, String real) {}

    /** The agent's own directories that an output kind from user-data may land in, though they are never written otherwise. */
    private static final Map<String, String> OWN_DIRS =
            Map.of("env", "/run/bootsecrets/env/", "podman-secret", "/run/bootsecrets/podman/",
                    "podman-user-secret", "/run/bootsecrets-podman/");

    private final Resolver at;
    private final UserDataPolicy policy;
    private final Accounts accounts;
    private final List<String> writable;
    private final List<String> neverWritten;
    private final List<String> writePaths;
    private final List<String> readPaths;
    private final Map<String, List<String>> ownDirs = new HashMap<>();
    private List<SshDir> sshDirs;

    private Placement(Resolver at, Config config, Accounts accounts) {
        this.at = at;
        this.policy = config.settings().userData();
        this.accounts = accounts;
        this.writable = resolved(Paths.WRITABLE);
        List<String> never = new ArrayList<>(UserDataPolicy.NEVER_WRITTEN);
        never.addAll(reserved(config));
        this.neverWritten = resolved(never);
        this.writePaths = resolved(policy.writePaths());
        this.readPaths = resolved(policy.readPaths());
        OWN_DIRS.forEach((kind, dir) -> ownDirs.put(kind, resolved(List.of(dir))));
    }

    public static Placement of(Config config, Resolver at, Accounts accounts) {
        return new Placement(at, config, accounts);
    }

    /**
     * The intents at their real places, each judged: every output lands under /etc, /run or
     * /var or in an account's ~/.ssh, and one user-data declared keeps to the image's policy.
     * An intent that cannot be placed or may not land where it does adds an error and is left out.
     */
    public List<FileIntent> place(List<FileIntent> intents, List<String> errors) {
        List<FileIntent> placed = new ArrayList<>();
        Map<String, String> realOf = new HashMap<>();
        for (FileIntent intent : intents) {
            String spelled = intent.place().spelled();
            try {
                Place where = placeUpToPlanted(spelled, false);
                Optional<String> refusal = refusal(intent, where);
                if (refusal.isPresent()) {
                    errors.add(intent.source() + ": " + where + " " + refusal.get());
                    continue;
                }
                List<DirIntent> dirs = new ArrayList<>();
                for (DirIntent dir : intent.dirs()) {
                    dirs.add(dir.at(placeUpToPlanted(dir.path(), true).real()));
                }
                realOf.put(spelled, where.real());
                placed.add(intent.at(where, dirs, intent.requires()));
            } catch (IOException e) {
                errors.add(intent.source() + ": " + e.getMessage());
            }
        }
        placed.replaceAll(i -> i.requires().isEmpty() ? i
                : i.at(i.place(), i.dirs(), i.requires().stream().map(r -> realOf.getOrDefault(r, r)).toList()));
        return placed;
    }

    /**
     * Where a {@code file:} source really reads from, judged when user-data declared it: under
     * readPaths, and never what user-data may not write either (the agent's state, the config's
     * credentials and join material) unless readPaths name that very place.
     *
     * @throws IOException saying why it may not be read (a planted link, the policy key that refuses it)
     */
    public Place placeRead(String path, boolean fromUserData) throws IOException {
        Place where;
        try {
            where = at.placeToRead(path);
        } catch (IOException e) {
            throw new IOException("file:" + path + ": " + e.getMessage());
        }
        if (fromUserData && covers(where.real(), neverWritten) && !namedInside(where.real())) {
            throw new IOException("file:" + where + " is the agent's own or the config's (its state, or a credential"
                    + " or join material it declares); user-data never reads it");
        }
        if (fromUserData && !covers(where.real(), readPaths)) {
            throw new IOException("file:" + where + " is outside the paths user-data may read (userData.readPaths: "
                    + (policy.readPaths().isEmpty() ? "none" : String.join(", ", policy.readPaths())) + ")");
        }
        return where;
    }

    /**
     * Whether a readPaths entry that itself lies among the places user-data never writes covers
     * {@code real}: the image named that place on purpose (its bootstrap files under
     * /usr/lib/bootsecrets/), where a wide entry such as /run/ lets nothing of them be read.
     */
    private boolean namedInside(String real) {
        return readPaths.stream().anyMatch(p -> covers(real, List.of(p)) && covers(p, neverWritten));
    }

    /**
     * Where {@code path} lands; where a local user planted a link on the way, the place is that
     * link's own (it is never followed) with the rest as spelled. The writer, which follows no
     * link to a place, then fails that one output where it meets the link, and no user can stop
     * the whole run with a link in their home; should the link be gone by then, the write lands
     * exactly on the place judged here.
     */
    private Place placeUpToPlanted(String path, boolean directory) throws IOException {
        try {
            return directory ? at.placeToRead(path) : at.place(path);
        } catch (UnsafePathException planted) {
            String head = path;
            String tail = "";
            while (head.lastIndexOf('/') > 0) {
                tail = head.substring(head.lastIndexOf('/')) + tail;
                head = head.substring(0, head.lastIndexOf('/'));
                try {
                    return new Place(path, at.place(head).real() + tail);
                } catch (UnsafePathException again) {
                    // planted further up: try the parent
                }
            }
            return new Place(path, path);
        }
    }

    /** Why {@code intent} may not land at {@code where}, or empty. */
    private Optional<String> refusal(FileIntent intent, Place where) throws IOException {
        String real = where.real();
        // The accounts' homes are resolved only when a place needs them (they are kept after that).
        if (!covers(real, writable) && sshDirsHolding(real).isEmpty()) {
            return Optional.of("is outside the paths the agent writes (" + String.join(", ", Paths.WRITABLE)
                    + ", and the users' ~/.ssh)");
        }
        if (!intent.fromUserData()) {
            return Optional.empty();
        }
        boolean ownDir = covers(real, ownDirs.getOrDefault(intent.kind(), List.of()));
        if (!ownDir && covers(real, neverWritten)) {
            return Optional.of("is never written for user-data (the agent's own config and state, systemd's credential"
                    + " key, and the credentials and join material the config declares)");
        }
        if (!covers(real, writePaths)) {
            return Optional.of("is outside the paths user-data may write (userData.writePaths: "
                    + String.join(", ", policy.writePaths()) + ")");
        }
        for (SshDir dir : sshDirsHolding(real)) {
            if (!policy.allowsSsh(dir.account().name(), dir.account().uid())) {
                return Optional.of("is in " + dir.account().name() + "'s ~/.ssh, an SSH key grant: "
                        + policy.sshRefusal(dir.account().name()));
            }
        }
        return Optional.empty();
    }

    /** The accounts whose ~/.ssh holds {@code real} (several when they share a home). */
    private List<SshDir> sshDirsHolding(String real) throws IOException {
        if (sshDirs == null) {
            sshDirs = new ArrayList<>();
            for (Account account : accounts.all()) {
                if (!account.home().startsWith("/")) {
                    continue;
                }
                String home = account.home().equals("/") ? "" : account.home().replaceAll("/+$", "");
                try {
                    sshDirs.add(new SshDir(account, at.placeToRead(home + "/.ssh").real()));
                } catch (IOException e) {
                    // a home that cannot be resolved safely gets no output at all: SshKeys refuses it
                }
            }
        }
        return sshDirs.stream().filter(d -> real.equals(d.real()) || real.startsWith(d.real() + "/")).toList();
    }

    /**
     * Each prefix as spelled and where it really is (a directory keeps its trailing "/"): a real
     * path under either is under the place the policy named.
     */
    private List<String> resolved(List<String> prefixes) {
        Set<String> out = new LinkedHashSet<>(prefixes);
        for (String prefix : prefixes) {
            boolean dir = prefix.endsWith("/");
            String path = dir ? prefix.substring(0, prefix.length() - 1) : prefix;
            if (path.isEmpty()) {
                continue;
            }
            try {
                String real = at.placeToRead(path).real();
                out.add(dir ? real + "/" : real);
            } catch (IOException e) {
                // a prefix that cannot be resolved safely covers only its spelling
            }
        }
        return List.copyOf(out);
    }

    private static boolean covers(String path, List<String> prefixes) {
        return UserDataPolicy.covers(path, prefixes);
    }

    /**
     * What the config writes that user-data never may: the join's key and certificate directory,
     * and the systemd credentials it declares (as credentials or as files under /run/credstore*).
     */
    private static List<String> reserved(Config config) {
        List<String> out = new ArrayList<>();
        config.settings().join().ifPresent(j -> out.add(j.certificate().dir() + "/"));
        Declarations declared = config.declarations();
        for (Declarations.CredentialDecl credential : declared.credentials()) {
            if (!credential.origin().fromUserData()) {
                CREDSTORES.forEach(dir -> out.add(dir + "/" + credential.name()));
            }
        }
        for (Declarations.FileDecl file : declared.files()) {
            if (!file.origin().fromUserData() && CREDSTORES.stream().anyMatch(dir -> file.path().startsWith(dir + "/"))) {
                out.add(file.path());
            }
        }
        return out;
    }

    /** Where systemd looks for credentials by name ({@code LoadCredential=}, {@code LoadCredentialEncrypted=}). */
    private static final List<String> CREDSTORES = List.of("/run/credstore", "/run/credstore.encrypted");
}
