package dev.bootsecrets.cli;

import dev.bootsecrets.testing.Tool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One command of the suite run as the executable under test. What only a built executable gets
 * wrong (a native image above all: metadata, class initialization, resources, libraries) fails
 * the test with a message that names the kind of gap, not just "exit 1".
 */
final class ProcessRun {
    /** A kind of gap, recognised by what the executable prints on stderr. */
    record Gap(String what, List<String> signs) {}

    /** First match wins: the specific registration errors before the generic exceptions. */
    static final List<Gap> GAPS = List.of(
            new Gap("the native-kit's libjvm stand-in lacks a JVM_ function this path reaches (a kit gap, csrc/jvm_impl.c)",
                    List.of("native-kit libjvm stand-in")),
            new Gap("missing reachability metadata for JNI (jni-config.json)", List.of("MissingJNIRegistrationError")),
            new Gap("a resource not included in the image (resource-config.json)",
                    List.of("MissingResourceRegistrationError", "not found in resource path", "MissingResourceException")),
            new Gap("missing reachability metadata for reflection (reflect-config.json)",
                    List.of("MissingReflectionRegistrationError", "ClassNotFoundException", "NoSuchMethodException",
                            "NoSuchFieldException", "MissingSerializationRegistrationError")),
            new Gap("class initialization: a class failed to initialize at run time, or one initialized at build time"
                    + " holds the build machine's state (--initialize-at-build-time / --initialize-at-run-time)",
                    List.of("ExceptionInInitializerError", "Could not initialize class", "UnsupportedFeatureError")),
            new Gap("a native library is missing (lib/ beside the binary, or a JNI library of the image)",
                    List.of("UnsatisfiedLinkError", "cannot open shared object file")));

    private ProcessRun() {}

    static Agent.Run run(Path binary, String... args) {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        Tool.Result result;
        try {
            result = Tool.run(command, Map.of(), new byte[0]);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(binary + " " + String.join(" ", args) + ": could not run: " + e, e);
        }
        Agent.Run run = new Agent.Run(result.exit(), result.out(), result.stderr());
        gap(run).ifPresent(gap -> {
            throw new AssertionError(binary + ": " + gap + "\n--- `" + String.join(" ", command)
                    + "` exited " + run.exit() + "; stderr:\n" + run.err() + "--- stdout:\n" + run.out());
        });
        return run;
    }

    /** What is wrong with the executable rather than with the input, if anything. */
    static Optional<String> gap(Agent.Run run) {
        for (Gap gap : GAPS) {
            for (String sign : gap.signs()) {
                for (String line : run.err().split("\n")) {
                    if (line.contains(sign)) {
                        return Optional.of(gap.what() + ": " + line.strip());
                    }
                }
            }
        }
        if (run.exit() > 128) {
            return Optional.of("killed by signal " + (run.exit() - 128) + " (a crash, not an exit code of the agent)");
        }
        // The agent logs only <N>-prefixed lines; anything else is a warning of the runtime or
        // of a library (slf4j's "multiple bindings", the JVM's native-access notice, ...).
        for (String line : run.err().split("\n")) {
            if (!line.isEmpty() && !line.matches("<[0-7]>.*")) {
                return Optional.of("a line on stderr that is not the agent's log (a runtime or library warning): " + line);
            }
        }
        return Optional.empty();
    }
}
