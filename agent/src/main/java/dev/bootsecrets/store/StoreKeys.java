package dev.bootsecrets.store;

import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store's keys: key-GEN.SUFFIX files, each the 32-byte key of one generation sealed one
 * way ({@link KeySeal}), and the keys unsealed so far, held until {@link #wipe()}.
 */
final class StoreKeys {
    private final TargetRoot root;
    /** Store keys by generation, once unsealed. */
    private final Map<Integer, byte[]> keys = new HashMap<>();

    StoreKeys(TargetRoot root) {
        this.root = root;
    }

    /** The store key of {@code generation}: the first of its key files that opens on this machine. */
    byte[] key(int generation) throws IOException {
        byte[] cached = keys.get(generation);
        if (cached != null) {
            return cached;
        }
        List<String> why = new ArrayList<>();
        for (KeySeal seal : KeySeal.all(root)) {
            String path = path(generation, seal);
            Optional<byte[]> file = root.read(path, Store.MAX_RECORD);
            if (file.isEmpty()) {
                continue;
            }
            try {
                Optional<Secret> key = seal.unseal(file.get());
                if (key.isPresent() && key.get().length() == RecordCipher.KEY_SIZE) {
                    keys.put(generation, key.get().bytes());
                    return keys.get(generation);
                }
                why.add(path + " does not open on this machine");
            } catch (IOException e) {
                why.add(e.getMessage());
            } finally {
                Secret.wipe(file.get());
            }
        }
        throw new Store.StoreException("store key " + generation + ": "
                + (why.isEmpty() ? "no key file" : String.join("; ", why))
                + " (bootsecrets store import-key restores one from a backup)");
    }

    boolean exists(int generation) throws IOException {
        for (KeySeal seal : KeySeal.all(root)) {
            if (root.exists(path(generation, seal))) {
                return true;
            }
        }
        return false;
    }

    void write(int generation, KeySeal seal, byte[] key) throws IOException {
        Secret value = Secret.of(key);
        byte[] sealed = seal.seal(value);
        try {
            root.write(path(generation, seal), sealed, 0, 0, 0400);
        } finally {
            Secret.wipe(sealed);
        }
        root.syncDirectories();
        keys.put(generation, key.clone());
    }

    void remove(int generation) throws IOException {
        if (generation < 1) {
            return;
        }
        for (KeySeal seal : KeySeal.all(root)) {
            root.remove(path(generation, seal));
        }
    }

    /** Takes {@code key} (a copy) as the key of {@code generation}, as an import does before checking it. */
    void put(int generation, byte[] key) {
        keys.put(generation, key.clone());
    }

    void wipe() {
        keys.values().forEach(Secret::wipe);
        keys.clear();
    }


    static String path(int generation, KeySeal seal) {
        return Store.DIR + "/key-" + generation + "." + seal.suffix();
    }
}
