package dev.bootsecrets.join;

import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.JoinSettings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.FileIntent.DirIntent;
import dev.bootsecrets.plan.Ownership;
import dev.bootsecrets.plan.Paths;
import dev.bootsecrets.plan.Plan;
import dev.bootsecrets.plan.PlanException;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a join gave: secrets by the declared name they resolve, the files it makes (the
 * machine's key and certificate), and the bootstrap files to delete once those are written.
 */
public record Joined(Map<String, Secret> secrets, List<FileIntent> files, List<String> burn) {
    /** The kind of the join's file intents in the plan and the status file. */
    public static final String KIND = "join";
    static final int KEY_MODE = 0600;
    static final int CERT_MODE = 0644;
    static final int DIR_MODE = 0755;

    public Joined {
        secrets = Map.copyOf(secrets);
        files = List.copyOf(files);
        burn = List.copyOf(burn);
    }

    public static Joined none() {
        return new Joined(Map.of(), List.of(), List.of());
    }

    /**
     * key.pem (root, 0600) and cert.pem (root, 0644: the certificate, then the ones that
     * issued it) in the certificate directory, which is kept root 0755: whoever could write
     * there could swap the key.
     */
    public static List<FileIntent> material(JoinSettings.Certificate where, Secret key, Secret certificates, String source) {
        List<DirIntent> dirs = List.of(new DirIntent(where.dir(), Ownership.ROOT, DIR_MODE, true));
        return List.of(
                new FileIntent(where.keyPath(), KIND, new Content.Whole(key), Ownership.ROOT, KEY_MODE, source, false, dirs),
                new FileIntent(where.certPath(), KIND, new Content.Whole(certificates), Ownership.ROOT, CERT_MODE, source, false, dirs));
    }

    /**
     * Deletes the bootstrap secret files the join used, once everything the join gave is
     * written: used up on the server, they would only be something to steal. Only the join's
     * own outputs count (its key and certificate, and what holds a secret it gave): an
     * unrelated output that failed, such as a user's broken authorized_keys, keeps nothing
     * alive. A file that cannot be deleted (a read-only /usr) is a warning, not a failure.
     *
     * @param failed   the outputs of the run that were not written
     * @param declared the run's declarations, which say what holds the join's secrets
     */
    public void burnBootstrap(TargetRoot root, List<FileIntent> failed, Declarations declared) {
        if (burn.isEmpty()) {
            return;
        }
        Set<String> holders = new HashSet<>();
        for (Declarations.Reference ref : declared.references()) {
            if (secrets.containsKey(ref.secret())) {
                holders.add(ref.origin().toString());
            }
        }
        for (FileIntent file : failed) {
            if (file.kind().equals(KIND) || Arrays.stream(file.source().split(", ")).anyMatch(holders::contains)) {
                Log.warn("join: the bootstrap secret is kept: " + file.path() + ", which holds what the join gave,"
                        + " was not written");
                return;
            }
        }
        for (String path : burn) {
            try {
                if (root.remove(path)) {
                    Log.notice("join: deleted the bootstrap secret " + path + " (used)");
                }
            } catch (IOException e) {
                Log.warn("join: could not delete the used bootstrap secret " + path + " (" + e.getMessage()
                        + "); make bootstrap secrets single-use on the server");
            }
        }
    }
}
