package dev.bootsecrets.cloud;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Which cloud this machine runs on, from the firmware's DMI strings (no network needed). */
public final class Detect {
    /** Every Azure VM's chassis asset tag; Hyper-V elsewhere says "Microsoft Corporation" too, but not this. */
    static final String AZURE_ASSET_TAG = "7783-7084-3265-9085-8269-3286-77";

    private Detect() {}

    /** The provider name, or empty when no known cloud's marks are present. */
    public static Optional<String> fromDmi(Path dmi) {
        String vendor = read(dmi, "sys_vendor");
        String product = read(dmi, "product_name");
        String bios = read(dmi, "bios_vendor");
        String version = read(dmi, "product_version");
        if (read(dmi, "chassis_asset_tag").equals(AZURE_ASSET_TAG)) {
            return Optional.of("azure");
        }
        if (vendor.equals("google") || product.equals("google compute engine") || bios.equals("google")) {
            return Optional.of("gcp");
        }
        // Nitro instances say "Amazon EC2"; older Xen ones only carry "amazon" in the version.
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
