package dev.bootsecrets.cli;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.ImdsdServer;
import dev.bootsecrets.emulator.Scenario;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bootsecrets emulate}: serves a cloud's metadata API from a scenario until stopped, and
 * with {@code --imdsd PATH} systemd-imdsd's Varlink interface on that Unix socket too.
 */
final class EmulateCommand {
    private EmulateCommand() {}

    static int run(String[] argv, PrintStream out) throws IOException, Args.UsageException, InterruptedException {
        Args args = Args.parse(argv, 1, Set.of("provider", "listen", "scenario", "imdsd"), Set.of("verbose"));
        String provider = args.value("provider").orElseThrow(() -> new Args.UsageException("emulate needs --provider"));
        Scenario scenario = args.value("scenario").isPresent()
                ? Scenario.load(Path.of(args.value("scenario").get()))
                : Scenario.sample(provider);
        InetSocketAddress listen = address(args.value("listen").orElse("127.0.0.1:0"));
        Emulator emulator = Emulator.start(provider, listen, scenario);
        Optional<ImdsdServer> imdsd = args.value("imdsd").isPresent()
                ? Optional.of(emulator.imdsd(Path.of(args.value("imdsd").get()))) : Optional.empty();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            imdsd.ifPresent(ImdsdServer::close);
            emulator.close();
            stopped.countDown();
        }));
        out.println(emulator.url());
        out.flush();
        stopped.await();
        return ExitCode.OK;
    }

    static InetSocketAddress address(String hostPort) throws Args.UsageException {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new Args.UsageException("--listen takes HOST:PORT, got " + hostPort);
        }
        try {
            String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
            return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--listen takes HOST:PORT, got " + hostPort);
        }
    }
}
