package dev.bootsecrets.cloud;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The firmware's DMI strings a cloud is recognised by, lower-cased; "" where absent. */
public record Dmi(String vendor, String product, String bios, String version, String assetTag) {

    public static Dmi read(Path dmi) {
        return new Dmi(read(dmi, "sys_vendor"), read(dmi, "product_name"), read(dmi, "bios_vendor"),
                read(dmi, "product_version"), read(dmi, "chassis_asset_tag"));
    }

    private static String read(Path dmi, String name) {
        try {
            return Files.readString(dmi.resolve(name), StandardCharsets.UTF_8).strip().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "";
        }
    }
}
