package dev.bootsecrets.store;

import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Offline.KeySealing;
import dev.bootsecrets.fs.StaleTemps;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.store.IndexJson.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The last-known-good store, /var/lib/bootsecrets/store (root 0700): what the last fully
 * successful run used, for a run whose metadata service or join is down.
 *
 * <pre>
 *   id                  the store's id (random, clear text: it only names the store)
 *   key-GEN.SUFFIX      the 32-byte store key of generation GEN, sealed ({@link KeySeal})
 *   index               the run's record list, metadata and user-data ({@link RecordCipher}, name "index")
 *   secret.NAME.VERSION one secret's resolved value, when and where it was fetched
 *   join.key.VERSION    the join's key and certificate
 *   join.cert.VERSION
 * </pre>
 *
 * Every record's version is the generation of the index that lists it, and part of its file
 * name: a save writes new records beside the old ones, then the index (the switch), then
 * removes the old ones, so a crash leaves the old index with its records or the new one with
 * its. A rekey re-seals each record in place (same name, same version, a new key generation in
 * its header) while both keys are on disk, then the index, and removes the old key last.
 */
public final class Store {
    public static final String DIR = "/var/lib/bootsecrets/store";
    static final String ID = DIR + "/id";
    static final String INDEX = DIR + "/index";
    static final String INDEX_NAME = "index";
    static final int MAX_RECORD = 8 << 20;
    static final int FILE_MODE = 0600;
    private static final Pattern ID_FORMAT = Pattern.compile("[0-9a-f]{32}");
    private static final String EXPORT = "bootsecrets-store-key 1";

    private final TargetRoot root;
    private final SecureRandom random = new SecureRandom();
    /** Wiped once a command is done with the store, however it ends. */
    private final StoreKeys keys;

    private Store(TargetRoot root) {
        this.root = root;
        this.keys = new StoreKeys(root);
    }

    /** What one run saves: every value it used, and what it was told of the instance (with its user-data). */
    public record Snapshot(List<StoredValue> values, InstanceMetadata metadata) {
        public Snapshot {
            values = List.copyOf(values);
        }
    }

    /**
     * The store as it opened: the values whose records verify, and the records that do not,
     * each "name: reason" without a value.
     */
    public record Opened(String id, int keyGeneration, long generation, Instant written, Map<String, StoredValue> values,
            InstanceMetadata metadata, List<String> refused) {
        public Opened {
            values = Map.copyOf(values);
            refused = List.copyOf(refused);
        }
    }

    /** The opened index. */
    private record Index(String id, int keyGeneration, long generation, Instant written, List<Entry> entries,
            InstanceMetadata metadata, byte[] plain) {}

    public static final class StoreException extends IOException {
        public StoreException(String message) {
            super(message);
        }
    }

    /** Saves {@code snapshot} as the new last-known-good state, and removes what the last one had and this one does not. */
    public static void save(TargetRoot root, KeySealing sealing, Snapshot snapshot) throws IOException {
        with(root, store -> {
            store.doSave(sealing, snapshot);
            return null;
        });
    }

    /** What a command does with the store; the keys it unsealed are wiped after it, however it ends. */
    private interface Action<T> {
        T on(Store store) throws IOException;
    }

    private static <T> T with(TargetRoot root, Action<T> action) throws IOException {
        Store store = new Store(root);
        try {
            return action.on(store);
        } finally {
            store.keys.wipe();
        }
    }

    /** Opens the store: the index must open; records that do not are refused by name. */
    public static Opened open(TargetRoot root) throws IOException {
        return with(root, Store::doOpen);
    }

    private Opened doOpen() throws IOException {
        Index index = index();
        Secret.wipe(index.plain());
        Map<String, StoredValue> values = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        for (Entry e : index.entries()) {
            try {
                values.put(e.name(), value(index.id(), e));
            } catch (StoreException ex) {
                refused.add(e.name() + ": " + ex.getMessage());
            }
        }
        return new Opened(index.id(), index.keyGeneration(), index.generation(), index.written(), values,
                index.metadata(), refused);
    }

    /** Whether there is a store at all. */
    public static boolean exists(TargetRoot root) throws IOException {
        return root.exists(INDEX);
    }

    /**
     * A new store key: every record re-sealed with it, then the index, then the old key
     * removed. Killed at any point, every record is sealed with a key that is still on disk.
     * Records that do not open are left as they are and named in the result.
     */
    public static List<String> rekey(TargetRoot root, KeySealing sealing) throws IOException {
        return with(root, store -> store.doRekey(sealing));
    }

    /** The store key, for a backup kept off the machine: one line naming the store, its key generation and the key. */
    public static Secret exportKey(TargetRoot root) throws IOException {
        return with(root, store -> {
            Index index = store.index();
            Secret.wipe(index.plain());
            byte[] key = store.keys.key(index.keyGeneration());
            return Secret.ofUtf8(EXPORT + " " + index.id() + " " + index.keyGeneration() + " "
                    + Base64.getEncoder().encodeToString(key) + "\n");
        });
    }

    /**
     * Seals a key from {@link #exportKey} on this machine, for a store whose sealed key does
     * not open here (a restored disk, a new TPM). The key must open this store's index.
     */
    public static void importKey(TargetRoot root, KeySealing sealing, Secret exported) throws IOException {
        String[] parts = exported.utf8().strip().split(" ");
        if (parts.length != 5 || !(parts[0] + " " + parts[1]).equals(EXPORT) || !ID_FORMAT.matcher(parts[2]).matches()
                || !parts[3].matches("[0-9]{1,9}")) {
            throw new StoreException("not a key exported by bootsecrets store export-key");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(parts[4]);
        } catch (IllegalArgumentException e) {
            throw new StoreException("not a key exported by bootsecrets store export-key");
        }
        Store store = new Store(root);
        try {
            if (key.length != RecordCipher.KEY_SIZE) {
                throw new StoreException("not a key exported by bootsecrets store export-key");
            }
            String id = store.id();
            if (!id.equals(parts[2])) {
                throw new StoreException("the key is for store " + parts[2] + ", this store is " + id);
            }
            int generation = Integer.parseInt(parts[3]);
            store.keys.put(generation, key);
            Index index = store.index(); // must open with the imported key
            Secret.wipe(index.plain());
            if (index.keyGeneration() != generation) {
                throw new StoreException("the key is of generation " + generation + ", the store's index is sealed with "
                        + index.keyGeneration() + " (a rekey since the export?)");
            }
            KeySeal seal = KeySeal.choose(root, sealing);
            for (KeySeal other : KeySeal.all(root)) {
                if (!other.suffix().equals(seal.suffix())) {
                    root.remove(StoreKeys.path(generation, other));
                }
            }
            store.keys.write(generation, seal, key);
        } finally {
            Secret.wipe(key);
            store.keys.wipe();
        }
    }

    private void doSave(KeySealing sealing, Snapshot snapshot) throws IOException {
        root.createParents(DIR);
        root.ensureDirectory(DIR, 0, 0, 0700);
        sweepStaleTemps();
        Optional<Index> previous = Optional.empty();
        if (root.exists(INDEX)) {
            try {
                previous = Optional.of(index());
                Secret.wipe(previous.get().plain());
            } catch (StoreException e) {
                Log.warn("store: " + e.getMessage() + "; starting a new store");
            }
        }
        String id;
        int keyGeneration;
        long generation;
        if (previous.isPresent()) {
            id = previous.get().id();
            keyGeneration = previous.get().keyGeneration();
            generation = previous.get().generation() + 1;
        } else {
            id = HexFormat.of().formatHex(randomBytes(16));
            keyGeneration = clearHeader(INDEX).map(h -> h.keyGeneration() + 1).orElse(1);
            generation = 1;
            byte[] key = randomBytes(RecordCipher.KEY_SIZE);
            try {
                keys.write(keyGeneration, KeySeal.choose(root, sealing), key);
            } finally {
                Secret.wipe(key);
            }
            root.write(ID, (id + "\n").getBytes(StandardCharsets.US_ASCII), 0, 0, FILE_MODE);
        }
        byte[] key = keys.key(keyGeneration);
        List<Entry> entries = new ArrayList<>();
        for (StoredValue value : snapshot.values()) {
            Entry entry = new Entry(value.name(), generation);
            byte[] plain = RecordCipher.valuePlain(value.fetched().toEpochMilli(), value.source(), value.value());
            try {
                root.write(recordPath(entry), RecordCipher.seal(key, keyGeneration, id, entry.name(), generation, plain, random),
                        0, 0, FILE_MODE);
            } finally {
                Secret.wipe(plain);
            }
            entries.add(entry);
        }
        root.syncDirectories(); // the records are on disk before the index that lists them
        byte[] plain = IndexJson.write(Instant.now(), entries, snapshot.metadata());
        try {
            root.write(INDEX, RecordCipher.seal(key, keyGeneration, id, INDEX_NAME, generation, plain, random), 0, 0,
                    FILE_MODE);
        } finally {
            Secret.wipe(plain);
        }
        root.syncDirectories();
        for (Entry old : previous.map(Index::entries).orElse(List.of())) {
            root.remove(recordPath(old)); // every record has a new version: what is no longer used goes
        }
        keys.remove(keyGeneration - 1); // left by a rekey killed after its index was written
    }

    /** What a run killed while it saved or rekeyed left here: its temporary files, removed (and logged). */
    private void sweepStaleTemps() {
        for (String path : StaleTemps.sweep(root, List.of(DIR))) {
            Log.notice("store: removed " + path + ", a temporary file an interrupted earlier save left behind");
        }
    }

    private List<String> doRekey(KeySealing sealing) throws IOException {
        sweepStaleTemps();
        Index index = index();
        try {
            int old = index.keyGeneration();
            int next = old + 1;
            keys.remove(old - 1);
            if (!keys.exists(next)) { // a rekey killed earlier left its new key: go on with it
                byte[] key = randomBytes(RecordCipher.KEY_SIZE);
                try {
                    keys.write(next, KeySeal.choose(root, sealing), key);
                } finally {
                    Secret.wipe(key);
                }
            }
            byte[] newKey = keys.key(next);
            List<String> refused = new ArrayList<>();
            for (Entry e : index.entries()) {
                byte[] file = readRecord(e);
                RecordCipher.Header h = RecordCipher.header(file).orElse(null);
                if (h != null && h.keyGeneration() == next) {
                    continue;
                }
                try {
                    byte[] plain = open(index.id(), e, file);
                    try {
                        root.write(recordPath(e), RecordCipher.seal(newKey, next, index.id(), e.name(), e.version(), plain,
                                random), 0, 0, FILE_MODE);
                    } finally {
                        Secret.wipe(plain);
                    }
                } catch (StoreException ex) {
                    refused.add(e.name() + ": " + ex.getMessage());
                }
            }
            root.syncDirectories();
            root.write(INDEX, RecordCipher.seal(newKey, next, index.id(), INDEX_NAME, index.generation(), index.plain(),
                    random), 0, 0, FILE_MODE);
            root.syncDirectories();
            keys.remove(old);
            root.syncDirectories();
            return refused;
        } finally {
            Secret.wipe(index.plain());
        }
    }

    /** Reads and opens the index with the key its header names. */
    private Index index() throws IOException {
        String id = id();
        Optional<byte[]> file = root.read(INDEX, MAX_RECORD);
        if (file.isEmpty()) {
            throw new StoreException("there is no store (" + INDEX + " does not exist)");
        }
        RecordCipher.Header h = RecordCipher.header(file.get())
                .orElseThrow(() -> new StoreException("index: not a store record"));
        byte[] plain = RecordCipher.open(keys.key(h.keyGeneration()), id, INDEX_NAME, h.version(), file.get())
                .orElseThrow(() -> new StoreException("index: its tag does not verify (changed, or from another store)"));
        try {
            IndexJson.Parsed parsed = IndexJson.read(plain);
            return new Index(id, h.keyGeneration(), h.version(), parsed.written(), parsed.entries(), parsed.metadata(), plain);
        } catch (IOException | RuntimeException e) {
            Secret.wipe(plain);
            throw new StoreException("index: not readable after it verified (written by another version?)");
        }
    }

    private StoredValue value(String id, Entry entry) throws IOException {
        byte[] plain = open(id, entry, readRecord(entry));
        try {
            return RecordCipher.value(entry.name(), plain)
                    .orElseThrow(() -> new StoreException("not readable after it verified"));
        } finally {
            Secret.wipe(plain);
        }
    }

    private byte[] readRecord(Entry entry) throws IOException {
        return root.read(recordPath(entry), MAX_RECORD)
                .orElseThrow(() -> new StoreException("its record " + recordPath(entry) + " is missing"));
    }

    private byte[] open(String id, Entry entry, byte[] file) throws IOException {
        RecordCipher.Header h = RecordCipher.header(file).orElseThrow(() -> new StoreException("not a store record"));
        byte[] key;
        try {
            key = keys.key(h.keyGeneration());
        } catch (StoreException e) {
            throw new StoreException("sealed with store key " + h.keyGeneration() + ", which does not open");
        }
        return RecordCipher.open(key, id, entry.name(), entry.version(), file)
                .orElseThrow(() -> new StoreException(
                        "its tag does not verify (changed, moved from another name, or from another store)"));
    }

    private String id() throws IOException {
        Optional<byte[]> bytes = root.read(ID, 64);
        String id = bytes.map(b -> new String(b, StandardCharsets.US_ASCII).strip()).orElse("");
        if (!ID_FORMAT.matcher(id).matches()) {
            throw new StoreException(ID + " is missing or not a store id");
        }
        return id;
    }

    private Optional<RecordCipher.Header> clearHeader(String path) throws IOException {
        Optional<byte[]> file = root.read(path, MAX_RECORD);
        return file.flatMap(RecordCipher::header);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** {@code secret:db} at version 7 is secret.db.7; names are checked by the config schema (letters, digits, . _ -). */
    private static String recordPath(Entry entry) {
        return DIR + "/" + entry.name().replace(':', '.') + "." + entry.version();
    }

}
