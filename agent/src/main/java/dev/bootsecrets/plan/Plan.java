package dev.bootsecrets.plan;

import java.util.List;

/**
 * Everything one run will write, checked as a whole before the first write.
 *
 * @param warnings things skipped on purpose (a malformed key, an unused secret), for the log
 */
public record Plan(List<FileIntent> files, List<String> warnings) {
    public Plan {
        files = List.copyOf(files);
        warnings = List.copyOf(warnings);
    }
}
