package dev.bootsecrets.cli;

import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.ConfigException;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.JoinSettings;
import dev.bootsecrets.config.Offline;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.join.Joined;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.output.Apply;
import dev.bootsecrets.output.Apply.Outcome;
import dev.bootsecrets.output.Planner;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.Plan;
import dev.bootsecrets.plan.PlanException;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.store.Restore;
import dev.bootsecrets.store.Store;
import dev.bootsecrets.store.StoredValue;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run's side of the last-known-good store ({@code offline:} in the image's config): a
 * fully successful run saves what it used; a run whose gather or join failed applies that
 * instead, marked stale.
 */
final class LastGood {
    static final String JOIN_KEY = "join:key";
    static final String JOIN_CERT = "join:cert";

    private LastGood() {}

    /** Why a run fell back, and how old what it applied was. */
    record Stale(String reason, Instant stored, Duration age, List<String> refused) {
        Stale {
            refused = List.copyOf(refused);
        }
    }

    /** After a fully successful run: the values it used, its metadata and user-data. A failure is a warning. */
    static void save(TargetRoot root, Offline offline, Config config, InstanceMetadata metadata, Plan plan, Joined joined,
            Instant fetched) {
        List<StoredValue> values = new ArrayList<>();
        Map<String, SecretDecl> declared = new LinkedHashMap<>();
        config.declarations().secrets().forEach(s -> declared.put(s.name(), s));
        plan.secrets().forEach((name, value) -> values.add(
                new StoredValue(Restore.SECRET + name, value, fetched, describe(declared.get(name)))));
        config.settings().join().ifPresent(join -> {
            for (FileIntent file : joined.files()) {
                if (file.content() instanceof Content.Whole whole) {
                    String name = file.path().equals(join.certificate().keyPath()) ? JOIN_KEY
                            : file.path().equals(join.certificate().certPath()) ? JOIN_CERT : null;
                    if (name != null) {
                        values.add(new StoredValue(name, whole.bytes(), fetched, file.source()));
                    }
                }
            }
        });
        InstanceMetadata kept = new InstanceMetadata(metadata.provider(), metadata.instanceId(), metadata.hostname(),
                metadata.region(), metadata.zone(), metadata.sshKeys(), metadata.userData(), Map.of(), Optional.empty(),
                metadata.section());
        try {
            Store.save(root, offline.key(), new Store.Snapshot(values, kept));
            Log.info("store: kept " + values.size() + " values as the last-known-good state in " + Store.DIR);
        } catch (IOException | RuntimeException e) {
            Log.warn("store: the last-known-good state was not saved: " + e.getMessage()
                    + " (a run with the metadata service or join down will write nothing)");
        }
    }

    /**
     * Applies the stored state for a run that failed for {@code reason}; empty when there is
     * none that may be used (no store, it does not open, older than maxAge, it no longer plans).
     */
    static Optional<BootRun.Result> restore(Config local, Offline offline, String reason, TargetRoot root) {
        Store.Opened opened;
        try {
            if (!Store.exists(root)) {
                Log.error("offline: no last-known-good state in " + Store.DIR + "; nothing written");
                return Optional.empty();
            }
            opened = Store.open(root);
        } catch (IOException e) {
            Log.error("offline: the last-known-good store does not open: " + e.getMessage() + "; nothing written");
            return Optional.empty();
        }
        Instant now = Instant.now();
        Duration age = Duration.between(opened.written(), now);
        if (age.compareTo(offline.maxAge()) > 0) {
            Log.error("offline: the last-known-good state is " + shown(age) + " old, over offline.maxAge ("
                    + shown(offline.maxAge()) + "); nothing written");
            return Optional.empty();
        }
        List<String> refused = new ArrayList<>(opened.refused());
        Map<String, StoredValue> values = new LinkedHashMap<>();
        opened.values().forEach((name, v) -> {
            if (Duration.between(v.fetched(), now).compareTo(offline.maxAge()) > 0) {
                refused.add(name + ": fetched " + shown(Duration.between(v.fetched(), now)) + " ago, over offline.maxAge");
            } else {
                values.put(name, v);
            }
        });
        refused.forEach(r -> Log.warn("store: record refused, not applied: " + r));
        List<String> warnings = new ArrayList<>();
        InstanceMetadata metadata = opened.metadata();
        try {
            Config stored = BootRun.withUserData(local, metadata);
            Declarations declared = Restore.declarations(stored.declarations(), values, warnings);
            Config config = new Config(stored.settings(), declared);
            Plan plan = Planner.plan(config, metadata, Map.of(), joined(config.settings().join(), values, warnings).files(),
                    root, Accounts.load(root));
            warnings.addAll(plan.warnings());
            warnings.forEach(Log::warn);
            Log.warn("offline: " + reason + "; applying the last-known-good state of " + opened.written() + " ("
                    + shown(age) + " old), marked stale");
            List<Outcome> outcomes = Apply.apply(plan, root);
            int exit = outcomes.stream().anyMatch(Outcome::failed) ? ExitCode.PARTIAL : ExitCode.STALE;
            return Optional.of(new BootRun.Result(exit, Optional.of(plan), outcomes, metadata,
                    Optional.of(new Stale(reason, opened.written(), age, refused))));
        } catch (ConfigException e) {
            e.errors().forEach(m -> Log.error("offline: the stored user-data no longer reads: " + m));
        } catch (PlanException e) {
            e.errors().forEach(m -> Log.error("offline: the stored state no longer plans: " + m));
        } catch (IOException e) {
            Log.error("offline: " + e.getMessage());
        }
        Log.error("offline: nothing written");
        return Optional.empty();
    }

    /** The join's key and certificate as they were stored, when the join is configured and both are there. */
    private static Joined joined(Optional<JoinSettings> join, Map<String, StoredValue> values, List<String> warnings) {
        if (join.isEmpty()) {
            return Joined.none();
        }
        StoredValue key = values.get(JOIN_KEY);
        StoredValue cert = values.get(JOIN_CERT);
        if (key == null || cert == null) {
            warnings.add("join: the machine's key and certificate are not restored (no usable record of them)");
            return Joined.none();
        }
        return new Joined(Map.of(), Joined.material(join.get().certificate(), key.value(), cert.value(), cert.source()),
                List.of());
    }

    /** Where a secret came from, as config declares it; never its value. */
    static String describe(SecretDecl decl) {
        if (decl == null) {
            return "unknown";
        }
        return switch (decl.source()) {
            case Source.Inline i -> "value (" + decl.origin() + ")";
            case Source.FromFile f -> "file:" + f.path();
            case Source.FromMetadata m -> "metadata:attributes/" + m.attribute();
            case Source.FromJoin j -> "join:" + j.name();
            case Source.FromVault v -> "vault:" + v.path() + "#" + v.key();
            case Source.FromCloud c -> c.reference();
        };
    }

    /** "3d4h", "5m", "12s": ages in the log and status. */
    static String shown(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s >= 86400) {
            return s / 86400 + "d" + (s % 86400) / 3600 + "h";
        }
        if (s >= 3600) {
            return s / 3600 + "h" + (s % 3600) / 60 + "m";
        }
        return s >= 60 ? s / 60 + "m" + s % 60 + "s" : s + "s";
    }
}
