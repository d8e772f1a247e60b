package dev.bootsecrets.cli;

import dev.bootsecrets.cloud.Machine;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.log.Log;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Not a test: measures, per provider, how many requests one boot run sends to the emulator
 * and the median time of a run (in-process, each into a fresh sandbox root, as a first boot
 * would be). Run it with scripts/provider-timings; it prints one line per provider.
 */
public final class ProviderTimings {
    static final int RUNS = 10;

    private ProviderTimings() {}

    public static void main(String[] args) throws Exception {
        Log.configure(new PrintStream(OutputStream.nullOutputStream()), false);
        Path dir = Files.createTempDirectory("bootsecrets-timings-");
        System.out.printf("%-8s %9s %12s   (%d runs each, fresh root every run)%n", "provider", "requests", "median ms", RUNS);
        for (String provider : List.of("aws", "gcp", "azure", "nocloud")) {
            List<Double> millis = new ArrayList<>();
            int requests = -1;
            for (int i = 0; i < RUNS; i++) {
                Path root = DemoCommand.sandbox(Optional.of(dir.resolve(provider + "-" + i).toString()));
                boolean seed = provider.equals("nocloud");
                if (seed) {
                    Path at = Files.createDirectories(root.resolve(DemoCommand.SEED.substring(1)));
                    for (String name : List.of("meta-data", "user-data")) {
                        Files.write(at.resolve(name), Scenario.sampleFile("nocloud", name));
                    }
                }
                try (Emulator emulator = seed ? null
                        : Emulator.start(provider, new InetSocketAddress("127.0.0.1", 0), Scenario.sample(provider))) {
                    var options = new BootRun.Options(root, Optional.of(provider),
                            seed ? Optional.empty() : Optional.of(emulator.url()), Optional.empty(), false,
                            new Machine(root.resolve("sys/class/dmi/id"), root.resolve("proc/cmdline")));
                    long start = System.nanoTime();
                    BootRun.Result result = BootRun.run(options);
                    millis.add((System.nanoTime() - start) / 1e6);
                    if (result.exitCode() != ExitCode.OK) {
                        throw new IllegalStateException(provider + ": run " + i + " exited " + result.exitCode());
                    }
                    if (i == 0) {
                        requests = seed ? 0 : emulator.log().count();
                    }
                }
            }
            Collections.sort(millis);
            double median = (millis.get(RUNS / 2 - 1) + millis.get(RUNS / 2)) / 2;
            System.out.printf("%-8s %9d %12.1f%n", provider, requests, median);
        }
    }
}
