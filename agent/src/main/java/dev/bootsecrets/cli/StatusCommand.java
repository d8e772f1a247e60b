package dev.bootsecrets.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.store.Store;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** {@code bootsecrets status}: what the last run did, from its status file. */
final class StatusCommand {
    private StatusCommand() {}

    /** The store's records by name, age and source (never a value); nothing when there is no store. */
    private static List<String> store(TargetRoot root) {
        List<String> lines = new ArrayList<>();
        try {
            if (!Store.exists(root)) {
                return lines;
            }
            Store.Opened opened = Store.open(root);
            Instant now = Instant.now();
            lines.add("store: " + Store.DIR + ", written " + opened.written() + " ("
                    + LastGood.shown(Duration.between(opened.written(), now)) + " ago)");
            opened.values().values().forEach(v -> lines.add(String.format("  %-32s %-10s from %s", v.name(),
                    LastGood.shown(Duration.between(v.fetched(), now)), v.source())));
            opened.refused().forEach(r -> lines.add("  refused: " + r));
        } catch (IOException e) {
            lines.add("store: does not open: " + e.getMessage());
        }
        return lines;
    }

    static int run(String[] argv, PrintStream out) throws IOException, Args.UsageException {
        Args args = Args.parse(argv, 1, Set.of("root"), Set.of("json", "verbose"));
        Optional<JsonNode> status;
        List<String> store;
        try (TargetRoot root = TargetRoot.open(Path.of(args.value("root").orElse("/")))) {
            status = Report.read(root);
            store = args.flag("json") ? List.of() : store(root);
        }
        if (status.isEmpty()) {
            out.println("no run recorded (" + Report.STATUS + " does not exist)");
            return ExitCode.INVALID;
        }
        JsonNode s = status.get();
        if (args.flag("json")) {
            out.println(JsonTree.prettyText(s));
            return ExitCode.OK;
        }
        out.println("last run: " + s.path("outcome").asText() + " (exit " + s.path("exitCode").asInt() + ") at "
                + s.path("finished").asText() + ", " + s.path("durationMs").asLong() + " ms");
        out.println("provider: " + s.path("provider").asText() + ", instance " + s.path("instanceId").asText());
        for (JsonNode o : s.path("outputs")) {
            String owner = o.has("owner") ? o.path("owner").asText() + ":" + o.path("group").asText() + " " + o.path("mode").asText() : "-";
            out.printf("  %-9s %-44s %s  from %s%n", o.path("result").asText(), o.path("path").asText(), owner,
                    o.path("source").asText());
            if (o.has("error")) {
                out.println("            error: " + o.path("error").asText());
            }
        }
        for (JsonNode e : s.path("errors")) {
            out.println("  error: " + e.asText());
        }
        JsonNode stale = s.path("stale");
        if (stale.isObject()) {
            out.println("stale: applied the last-known-good state of " + stale.path("stored").asText() + " ("
                    + stale.path("age").asText() + " old): " + stale.path("reason").asText());
            stale.path("refused").forEach(r -> out.println("  refused: " + r.asText()));
        }
        store.forEach(out::println);
        return s.path("exitCode").asInt();
    }
}
