package dev.bootsecrets.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.fs.TargetRoot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** {@code bootsecrets status}: what the last run did, from its status file. */
final class StatusCommand {
    private StatusCommand() {}

    static int run(String[] argv, PrintStream out) throws IOException, Args.UsageException {
        Args args = Args.parse(argv, 1, Set.of("root"), Set.of("json", "verbose"));
        Optional<JsonNode> status;
        try (TargetRoot root = TargetRoot.open(Path.of(args.value("root").orElse("/")))) {
            status = Report.read(root);
        }
        if (status.isEmpty()) {
            out.println("no run recorded (" + Report.STATUS + " does not exist)");
            return ExitCode.INVALID;
        }
        JsonNode s = status.get();
        if (args.flag("json")) {
            out.println(s.toPrettyString());
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
        return s.path("exitCode").asInt();
    }
}
