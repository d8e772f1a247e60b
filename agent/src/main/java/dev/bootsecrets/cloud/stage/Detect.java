package dev.bootsecrets.cloud.stage;

import dev.bootsecrets.cloud.Cloud;
import dev.bootsecrets.cloud.Dmi;
import java.nio.file.Path;
import java.util.Optional;

/** Which cloud this machine runs on, from the firmware's DMI strings (no network needed). */
public final class Detect {
    private Detect() {}

    /** The provider name, or empty when no known cloud's marks are present. */
    public static Optional<String> fromDmi(Path dmi) {
        Dmi strings = Dmi.read(dmi);
        return Providers.CLOUDS.stream().filter(c -> c.detects().test(strings)).map(Cloud::name).findFirst();
    }
}
