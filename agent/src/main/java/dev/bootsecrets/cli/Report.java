package dev.bootsecrets.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.fs.SdNotify;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.output.Apply;
import dev.bootsecrets.output.Apply.Outcome;
import dev.bootsecrets.plan.FileIntent;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The report stage: the status file (what was written where, from which source, never a
 * value), the one-line summary in the log, and the exit code's name.
 */
final class Report {
    static final String DIR = "/run/bootsecrets";
    static final String STATUS = DIR + "/status.json";
    static final int MAX_STATUS = 16 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Report() {}

    static String outcome(int exitCode) {
        return switch (exitCode) {
            case ExitCode.OK -> "applied";
            case ExitCode.INVALID -> "invalid";
            case ExitCode.UNREACHABLE -> "unreachable";
            case ExitCode.PARTIAL -> "partial";
            default -> "failed";
        };
    }

    static void write(TargetRoot root, BootRun.Result result, Instant started, Instant finished, List<String> errors)
            throws IOException {
        ObjectNode status = JSON.createObjectNode();
        status.put("version", 1);
        status.put("outcome", outcome(result.exitCode()));
        status.put("exitCode", result.exitCode());
        status.put("started", started.toString());
        status.put("finished", finished.toString());
        status.put("durationMs", Duration.between(started, finished).toMillis());
        status.put("provider", result.metadata().provider());
        status.put("instanceId", result.metadata().instanceId());
        ArrayNode outputs = status.putArray("outputs");
        for (Outcome outcome : result.outcomes()) {
            FileIntent intent = outcome.intent();
            ObjectNode entry = outputs.addObject();
            entry.put("path", intent.path());
            entry.put("kind", intent.kind());
            entry.put("source", intent.source());
            if (!intent.content().removes()) {
                entry.put("owner", intent.owner().user());
                entry.put("group", intent.owner().group());
                entry.put("mode", Apply.mode(intent.mode()));
            }
            entry.put("result", outcome.change().map(c -> c.name().toLowerCase()).orElse("failed"));
            outcome.error().ifPresent(e -> entry.put("error", e));
        }
        ArrayNode errorList = status.putArray("errors");
        errors.forEach(errorList::add);
        Optional<String> summary = outcomes(result.outcomes());
        summary.ifPresent(Log::notice);
        SdNotify.send("READY=1\nSTATUS=" + outcome(result.exitCode()) + summary.map(s -> ", " + s).orElse(""));

        root.ensureDirectory(DIR, 0, 0, 0700);
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(status);
        root.write(STATUS, bytes, 0, 0, 0600);
    }

    /** "3 outputs: 1 created, 0 updated, 2 unchanged, 0 failed, 0 removed" for the log, or empty when there were none. */
    static Optional<String> outcomes(List<Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return Optional.empty();
        }
        long created = count(outcomes, "created");
        long updated = count(outcomes, "updated");
        long unchanged = count(outcomes, "unchanged");
        long removed = count(outcomes, "removed");
        long failed = outcomes.stream().filter(Outcome::failed).count();
        return Optional.of(outcomes.size() + " outputs: " + created + " created, " + updated + " updated, "
                + unchanged + " unchanged, " + failed + " failed, " + removed + " removed");
    }

    private static long count(List<Outcome> outcomes, String change) {
        return outcomes.stream()
                .filter(o -> o.change().map(c -> c.name().equalsIgnoreCase(change)).orElse(false))
                .count();
    }

    static Optional<JsonNode> read(TargetRoot root) throws IOException {
        Optional<byte[]> bytes = root.read(STATUS, MAX_STATUS);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(JSON.readTree(bytes.get()));
    }
}
