package dev.bootsecrets.output;

import dev.bootsecrets.fs.Change;
import dev.bootsecrets.fs.Place;
import dev.bootsecrets.fs.StaleTemps;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.FileIntent.DirIntent;
import dev.bootsecrets.plan.Manifest;
import dev.bootsecrets.plan.Ownership;
import dev.bootsecrets.plan.Paths;
import dev.bootsecrets.plan.Plan;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The apply stage: materializes each intent with the safe writer, removes what bootsecrets
 * made and no longer declares, and records what it owns now. One output failing does not stop
 * the others (except those that need it); each outcome is reported.
 */
public final class Apply {
    /** Largest file whose current content is read to merge into (authorized_keys, appends). */
    static final int MAX_EXISTING = 4 << 20;
    /** The kind the status gives a removed stale temporary file. */
    public static final String STALE_TEMP = "stale temporary file";

    /** What happened to one intent: a change, or an error message (paths and reasons only). */
    public record Outcome(FileIntent intent, Optional<Change> change, Optional<String> error) {
        public boolean failed() {
            return error.isPresent();
        }
    }

    private Apply() {}

    /**
     * Writes and removes every intent in order, then records what bootsecrets now owns in the
     * manifests. The files are written in three passes, so that the run syncs the disk once
     * rather than once per file: every new version into its temporary file, one sync of them
     * all, then the renames in plan order (see {@link TargetRoot#stageWrites()}).
     */
    public static List<Outcome> apply(Plan plan, TargetRoot root) {
        List<Outcome> swept = sweepStaleTemps(plan, root);
        List<Outcome> outcomes = new ArrayList<>();
        Set<String> failed = new HashSet<>();
        root.stageWrites();
        for (FileIntent intent : plan.files()) {
            outcomes.add(unlessRequiredFailed(intent, failed, () -> applyOne(intent, root)));
        }
        try {
            root.syncStaged();
        } catch (IOException e) {
            Log.error("the new files could not be made durable, so none replaces its old version: " + e.getMessage());
            root.endStaging();
        }
        failed.clear();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome staged = outcomes.get(i);
            outcomes.set(i, staged.failed() ? staged : unlessRequiredFailed(staged.intent(), failed, () -> publish(staged, root)));
        }
        root.endStaging();
        outcomes.addAll(0, swept);
        Manifest manifest = record(plan, outcomes);
        try {
            manifest.write(root);
        } catch (IOException e) {
            // Without the record a later run could not take these outputs back: say so loudly.
            FileIntent record = new FileIntent(Manifest.RUN, "manifest", new Content.Whole(Secret.empty()), Ownership.ROOT,
                    0600, "bootsecrets", false, List.of());
            outcomes.add(failure(record, "could not record what bootsecrets wrote: " + e.getMessage()));
        }
        try {
            root.syncDirectories();
        } catch (IOException e) {
            Log.error("the writes of this run may not survive a crash: " + e.getMessage());
        }
        return outcomes;
    }

    /**
     * What a killed run left in the directories this plan writes, and in those of the manifests
     * and the status file (written after the outputs, so as likely to be cut short): its
     * temporary files, removed (and reported).
     */
    private static List<Outcome> sweepStaleTemps(Plan plan, TargetRoot root) {
        Set<String> dirs = new HashSet<>(List.of(Paths.parent(Manifest.RUN), Paths.parent(Manifest.PERSISTENT)));
        for (FileIntent intent : plan.files()) {
            String parent = Paths.parent(intent.path());
            if (!parent.equals("/")) {
                dirs.add(parent);
            }
        }
        List<Outcome> removed = new ArrayList<>();
        for (String path : StaleTemps.sweep(root, dirs)) {
            Log.notice("removed " + path + ", a temporary file an interrupted earlier run left behind");
            FileIntent temp = new FileIntent(path, STALE_TEMP, new Content.Absent(), Ownership.ROOT, 0,
                    "an interrupted earlier run", false, List.of());
            removed.add(new Outcome(temp, Optional.of(Change.REMOVED), Optional.empty()));
        }
        return removed;
    }

    /**
     * The manifest after this run: each written file with the entry the plan tracks for it (made
     * by bootsecrets now or before), each failed one as it was, removed ones gone.
     */
    static Manifest record(Plan plan, List<Outcome> outcomes) {
        List<Manifest.Entry> entries = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            String path = outcome.intent().path();
            Optional<Manifest.Entry> before = plan.previous().get(path);
            if (outcome.failed()) {
                before.ifPresent(entries::add);
                continue;
            }
            Manifest.Entry tracked = plan.tracked().get(path);
            if (tracked == null || outcome.intent().content().removes()) {
                continue;
            }
            boolean created = outcome.change().orElseThrow() == Change.CREATED || before.map(Manifest.Entry::created).orElse(false);
            Manifest.Entry entry = tracked.withCreated(created);
            if (entry.worthKeeping()) {
                entries.add(entry);
            }
        }
        return new Manifest(entries);
    }

    /** {@code step}'s outcome, unless an output this intent requires has failed; failures are added to {@code failed}. */
    private static Outcome unlessRequiredFailed(FileIntent intent, Set<String> failed, Supplier<Outcome> step) {
        Optional<String> missing = intent.requires().stream().filter(failed::contains).findFirst();
        Outcome outcome = missing.isPresent()
                ? failure(intent, intent.path() + ": not written, as " + missing.get() + " could not be")
                : step.get();
        if (outcome.failed()) {
            failed.add(intent.path());
        }
        return outcome;
    }

    /** Puts a staged new version in place and logs the change; an unchanged or removed file has nothing staged. */
    private static Outcome publish(Outcome staged, TargetRoot root) {
        FileIntent intent = staged.intent();
        try {
            if (!root.publish(intent.path()) && staged.change().orElseThrow() != Change.UNCHANGED
                    && !intent.content().removes()) {
                return failure(intent, intent.path() + ": its new version was not made durable; the old one is kept");
            }
        } catch (IOException e) {
            return failure(intent, intent.path() + ": " + e.getMessage());
        }
        Change change = staged.change().orElseThrow();
        Log.info(change.name().toLowerCase() + " " + intent.path() + " (" + intent.kind() + ", "
                + (intent.content().removes() ? "" : intent.owner() + " " + mode(intent.mode()) + ", ")
                + "from " + intent.source() + ")");
        return staged;
    }

    private static Outcome failure(FileIntent intent, String message) {
        Log.error("could not write " + message + " (from " + intent.source() + ")");
        return new Outcome(intent, Optional.empty(), Optional.of(message));
    }

    private static Outcome applyOne(FileIntent intent, TargetRoot root) {
        if (intent.content().removes()) {
            return remove(intent, root);
        }
        byte[] bytes = null;
        try {
            for (DirIntent dir : intent.dirs()) {
                root.ensureDirectory(Place.exact(dir.path()), dir.owner().uid(), dir.owner().gid(), dir.mode(), dir.enforce());
            }
            Optional<byte[]> existing = intent.content().readsExisting()
                    ? root.readToMerge(intent.place(), MAX_EXISTING, intent.owner().uid())
                    : Optional.empty();
            bytes = intent.content().render(existing);
            existing.ifPresent(Secret::wipe);
            // The place the plan judged, reached again without following any link (its missing
            // parents made on the way): nothing moves it now.
            Change change = root.write(intent.place(), bytes, intent.owner().uid(), intent.owner().gid(), intent.mode());
            return new Outcome(intent, Optional.of(change), Optional.empty());
        } catch (IOException | IllegalStateException e) {
            return failure(intent, intent.path() + ": " + e.getMessage());
        } finally {
            Secret.wipe(bytes);
        }
    }

    private static Outcome remove(FileIntent intent, TargetRoot root) {
        try {
            Change change = root.remove(intent.place()) ? Change.REMOVED : Change.UNCHANGED;
            return new Outcome(intent, Optional.of(change), Optional.empty());
        } catch (IOException e) {
            return failure(intent, intent.path() + ": " + e.getMessage());
        }
    }

    public static String mode(int mode) {
        return String.format("%04o", mode);
    }
}
