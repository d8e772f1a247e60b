package dev.bootsecrets.cli;

import dev.bootsecrets.log.Log;
import dev.bootsecrets.output.Apply;
import dev.bootsecrets.output.Apply.Outcome;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.Plan;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Tables for people: the dry-run plan and the demo's outcome. Paths, owners, modes, sources; no values. */
final class Listing {
    private static final String ROW = "%-44s %-14s %-17s %-5s %s%n";
    private static final String RESULT_ROW = "%-44s %-9s %-17s %-5s %s%n";

    private Listing() {}

    static void plan(Plan plan, PrintStream out) {
        out.printf(ROW, "PATH", "KIND", "OWNER", "MODE", "SOURCE");
        plan.files().stream().sorted(Comparator.comparing(FileIntent::path)).forEach(f ->
                row(out, ROW, f.place(), f.kind(), owner(f), mode(f), f.source()));
        long removals = plan.files().stream().filter(f -> f.content().removes()).count();
        out.println(plan.files().size() + " outputs planned (" + removals + " to remove); nothing written (--dry-run)");
    }

    static void outcomes(List<Outcome> outcomes, PrintStream out) {
        out.printf(RESULT_ROW, "PATH", "RESULT", "OWNER", "MODE", "SOURCE");
        outcomes.stream().sorted(Comparator.comparing(o -> o.intent().path())).forEach(o -> {
            FileIntent f = o.intent();
            String result = o.change().map(c -> c.name().toLowerCase()).orElse("FAILED");
            row(out, RESULT_ROW, f.path(), result, owner(f), mode(f), f.source());
            o.error().ifPresent(e -> out.println(Log.oneLine("    error: " + e)));
        });
    }

    /**
     * One row, each column through the same net as the log and as plain text: a path or a name
     * may happen to equal a short value, or hold a terminal's escape.
     */
    private static void row(PrintStream out, String format, Object... columns) {
        out.printf(format, Arrays.stream(columns).map(c -> Log.oneLine(String.valueOf(c))).toArray());
    }

    /** A removal has no owner or mode: it shows what happens instead. */
    private static String owner(FileIntent f) {
        return f.content().removes() ? "(remove)" : f.owner().toString();
    }

    private static String mode(FileIntent f) {
        return f.content().removes() ? "-" : Apply.mode(f.mode());
    }
}
