package dev.bootsecrets.cloud;

import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Attributes (or tags) a provider read all at once, of which a run wants a few. */
public final class Attributes {
    private Attributes() {}

    /**
     * The named ones as secrets. Only these: the others (ssh-keys, user-data, switches) are
     * not secrets, and a secret's value is masked wherever it shows up in a log line. Each
     * missing name is logged with {@code missing}'s note.
     */
    public static Map<String, Secret> named(Map<String, String> all, Set<String> names, Function<String, String> missing) {
        Map<String, Secret> found = new LinkedHashMap<>();
        for (String name : names) {
            if (all.containsKey(name)) {
                found.put(name, Secret.ofUtf8(all.get(name)));
            } else {
                Log.info(missing.apply(name));
            }
        }
        return found;
    }
}
