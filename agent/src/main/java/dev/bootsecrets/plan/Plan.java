package dev.bootsecrets.plan;

import java.util.List;
import java.util.Map;

/**
 * Everything one run will write or remove, checked as a whole before the first write.
 *
 * @param warnings things skipped on purpose (a malformed key, an unused secret), for the log
 * @param previous what earlier runs recorded as bootsecrets' own
 * @param tracked  by path, the manifest entry each file gets once written (whether bootsecrets
 *                 made it is known only then); files not here are not recorded
 */
public record Plan(List<FileIntent> files, List<String> warnings, Manifest previous, Map<String, Manifest.Entry> tracked) {
    public Plan {
        files = List.copyOf(files);
        warnings = List.copyOf(warnings);
        tracked = Map.copyOf(tracked);
    }
}
