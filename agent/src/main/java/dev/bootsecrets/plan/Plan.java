package dev.bootsecrets.plan;

import dev.bootsecrets.secret.Secret;
import java.util.List;
import java.util.Map;

/**
 * Everything one run will write or remove, checked as a whole before the first write.
 *
 * @param warnings things skipped on purpose (a malformed key, an unused secret), for the log
 * @param previous what earlier runs recorded as bootsecrets' own
 * @param tracked  by path, the manifest entry each file gets once written (whether bootsecrets
 *                 made it is known only then); files not here are not recorded
 * @param secrets  the resolved value of every secret the outputs use, by name (what the
 *                 last-known-good store keeps)
 */
public record Plan(List<FileIntent> files, List<String> warnings, Manifest previous, Map<String, Manifest.Entry> tracked,
        Map<String, Secret> secrets) {
    public Plan {
        files = List.copyOf(files);
        warnings = List.copyOf(warnings);
        tracked = Map.copyOf(tracked);
        secrets = Map.copyOf(secrets);
    }

    public Plan(List<FileIntent> files, List<String> warnings, Manifest previous, Map<String, Manifest.Entry> tracked) {
        this(files, warnings, previous, tracked, Map.of());
    }
}
