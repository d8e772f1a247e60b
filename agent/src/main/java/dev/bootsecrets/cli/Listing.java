package dev.bootsecrets.cli;

import dev.bootsecrets.output.Apply;
import dev.bootsecrets.output.Apply.Outcome;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.Plan;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;

/** Tables for people: the dry-run plan and the demo's outcome. Paths, owners, modes, sources; no values. */
final class Listing {
    private Listing() {}

    static void plan(Plan plan, PrintStream out) {
        out.printf("%-44s %-5s %-17s %-5s %s%n", "PATH", "KIND", "OWNER", "MODE", "SOURCE");
        plan.files().stream().sorted(Comparator.comparing(FileIntent::path)).forEach(f ->
                out.printf("%-44s %-5s %-17s %-5s %s%n", f.path(), f.kind(), f.owner(), Apply.mode(f.mode()), f.source()));
        out.println(plan.files().size() + " outputs planned; nothing written (--dry-run)");
    }

    static void outcomes(List<Outcome> outcomes, PrintStream out) {
        out.printf("%-44s %-9s %-17s %-5s %s%n", "PATH", "RESULT", "OWNER", "MODE", "SOURCE");
        outcomes.stream().sorted(Comparator.comparing(o -> o.intent().path())).forEach(o -> {
            FileIntent f = o.intent();
            String result = o.change().map(c -> c.name().toLowerCase()).orElse("FAILED");
            out.printf("%-44s %-9s %-17s %-5s %s%n", f.path(), result, f.owner(), Apply.mode(f.mode()), f.source());
            o.error().ifPresent(e -> out.println("    error: " + e));
        });
    }
}
