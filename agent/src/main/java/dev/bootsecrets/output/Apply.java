package dev.bootsecrets.output;

import dev.bootsecrets.fs.Change;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.FileIntent.DirIntent;
import dev.bootsecrets.plan.Plan;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The apply stage: materializes each intent with the safe writer. One output failing does
 * not stop the others; each outcome is reported.
 */
public final class Apply {
    /** Largest file whose current content is read to merge into (authorized_keys, appends). */
    static final int MAX_EXISTING = 4 << 20;

    /** What happened to one intent: a change, or an error message (paths and reasons only). */
    public record Outcome(FileIntent intent, Optional<Change> change, Optional<String> error) {
        public boolean failed() {
            return error.isPresent();
        }
    }

    private Apply() {}

    public static List<Outcome> apply(Plan plan, TargetRoot root) {
        List<Outcome> outcomes = new ArrayList<>();
        for (FileIntent intent : plan.files()) {
            outcomes.add(applyOne(intent, root));
        }
        return outcomes;
    }

    private static Outcome applyOne(FileIntent intent, TargetRoot root) {
        byte[] bytes = null;
        try {
            for (DirIntent dir : intent.dirs()) {
                if (dir.enforce() || !root.exists(dir.path())) {
                    root.ensureDirectory(dir.path(), dir.owner().uid(), dir.owner().gid(), dir.mode());
                }
            }
            root.createParents(intent.path());
            Optional<byte[]> existing = intent.content().readsExisting()
                    ? root.read(intent.path(), MAX_EXISTING)
                    : Optional.empty();
            bytes = intent.content().render(existing);
            existing.ifPresent(Secret::wipe);
            Change change = root.write(intent.path(), bytes, intent.owner().uid(), intent.owner().gid(), intent.mode());
            Log.info(change.name().toLowerCase() + " " + intent.path() + " (" + intent.kind() + ", "
                    + intent.owner() + " " + mode(intent.mode()) + ", from " + intent.source() + ")");
            return new Outcome(intent, Optional.of(change), Optional.empty());
        } catch (IOException | IllegalStateException e) {
            String message = intent.path() + ": " + e.getMessage();
            Log.error("could not write " + message + " (from " + intent.source() + ")");
            return new Outcome(intent, Optional.empty(), Optional.of(message));
        } finally {
            Secret.wipe(bytes);
        }
    }

    public static String mode(int mode) {
        return String.format("%04o", mode);
    }
}
