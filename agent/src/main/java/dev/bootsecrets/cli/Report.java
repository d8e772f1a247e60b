package dev.bootsecrets.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.fs.SdNotify;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.output.Apply;
import dev.bootsecrets.output.Apply.Outcome;
import dev.bootsecrets.plan.FileIntent;
import java.io.ByteArrayOutputStream;
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

    private Report() {}

    static String outcome(int exitCode) {
        return switch (exitCode) {
            case ExitCode.OK -> "applied";
            case ExitCode.INVALID -> "invalid";
            case ExitCode.UNREACHABLE -> "unreachable";
            case ExitCode.PARTIAL -> "partial";
            case ExitCode.JOIN_FAILED -> "join-failed";
            case ExitCode.STALE -> "stale";
            default -> "failed";
        };
    }

    static void write(TargetRoot root, BootRun.Result result, Instant started, Instant finished, List<String> errors)
            throws IOException {
        // Written with the streaming generator: the tree mapper costs a boot run ~0.2 s to set up.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JsonTree.generator(bytes).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeNumberField("version", 1);
            json.writeStringField("outcome", outcome(result.exitCode()));
            json.writeNumberField("exitCode", result.exitCode());
            json.writeStringField("started", started.toString());
            json.writeStringField("finished", finished.toString());
            json.writeNumberField("durationMs", Duration.between(started, finished).toMillis());
            json.writeStringField("provider", result.metadata().provider());
            text(json, "instanceId", result.metadata().instanceId());
            if (result.stale().isPresent()) {
                LastGood.Stale stale = result.stale().get();
                json.writeObjectFieldStart("stale");
                json.writeStringField("reason", stale.reason());
                json.writeStringField("stored", stale.stored().toString());
                json.writeNumberField("ageSeconds", stale.age().toSeconds());
                json.writeStringField("age", LastGood.shown(stale.age()));
                json.writeArrayFieldStart("refused");
                for (String r : stale.refused()) {
                    json.writeString(r);
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeArrayFieldStart("outputs");
            for (Outcome outcome : result.outcomes()) {
                FileIntent intent = outcome.intent();
                json.writeStartObject();
                text(json, "path", intent.path());
                json.writeStringField("kind", intent.kind());
                text(json, "source", intent.source());
                if (!intent.content().removes()) {
                    text(json, "owner", intent.owner().user());
                    text(json, "group", intent.owner().group());
                    json.writeStringField("mode", Apply.mode(intent.mode()));
                }
                json.writeStringField("result", outcome.change().map(c -> c.name().toLowerCase()).orElse("failed"));
                if (outcome.error().isPresent()) {
                    text(json, "error", outcome.error().get());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("errors");
            for (String error : errors) {
                json.writeString(Log.oneLine(error));
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        Optional<String> summary = outcomes(result.outcomes());
        summary.ifPresent(Log::notice);
        SdNotify.send("READY=1\nSTATUS=" + outcome(result.exitCode()) + summary.map(s -> ", " + s).orElse(""));

        root.ensureDirectory(DIR, 0, 0, 0700);
        root.write(STATUS, bytes.toByteArray(), 0, 0, 0600);
    }

    /**
     * The status file's free texts pass the same net as the log, and are plain one-line text as
     * its lines are ({@code status} prints them again): an error message may hold what a reviewer
     * missed, a path or name may happen to equal a short value or hold a terminal's escape. Fields of the agent's
     * own vocabulary (outcome, result, kind, mode, times) stay as they are for the programs reading them.
     */
    private static void text(JsonGenerator json, String name, String value) throws IOException {
        json.writeStringField(name, Log.oneLine(value));
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
        return Optional.of(JsonTree.read(bytes.get()));
    }
}
