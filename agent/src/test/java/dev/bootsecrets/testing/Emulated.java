package dev.bootsecrets.testing;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's emulator on 127.0.0.1 and the metadata client that talks to it, both closed after
 * the test: {@code @RegisterExtension final Emulated cloud = new Emulated();}.
 */
public final class Emulated implements AfterEachCallback {
    private final MetadataHttp http = MetadataHttp.create();
    private Emulator emulator;

    public Emulator start(String provider, Scenario scenario) throws IOException {
        emulator = Emulator.start(provider, new InetSocketAddress("127.0.0.1", 0), scenario);
        return emulator;
    }

    public Emulator emulator() {
        return emulator;
    }

    public MetadataHttp http() {
        return http;
    }

    public static Deadline seconds(int seconds) {
        return Deadline.in(Duration.ofSeconds(seconds));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        http.close();
        if (emulator != null) {
            emulator.close();
        }
    }
}
