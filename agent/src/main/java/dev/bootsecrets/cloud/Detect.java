package dev.bootsecrets.cloud;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Which cloud this machine runs on, from the firmware's DMI strings (no network needed). */
public final class Detect {
    public static final Path DMI = Path.of("/sys/class/dmi/id");

    private Detect() {}

    /** The provider name, or empty when no known cloud's marks are present. */
    public static Optional<String> fromDmi(Path dmi) {
        String vendor = read(dmi, "sys_vendor");
        String bios = read(dmi, "bios_vendor");
        String version = read(dmi, "product_version");
        if (vendor.contains("amazon ec2") || bios.contains("amazon ec2") || version.contains("amazon")) {
            return Optional.of("aws");
        }
        return Optional.empty();
    }

    private static String read(Path dmi, String name) {
        try {
            return Files.readString(dmi.resolve(name), StandardCharsets.UTF_8).strip().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "";
        }
    }
}
