package dev.bootsecrets.cloud.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection from fake sysfs DMI trees, as each cloud's firmware fills them. */
class DetectTest {
    @TempDir
    Path dir;

    @Test
    void awsNitroAndXen() throws IOException {
        assertEquals(Optional.of("aws"), Detect.fromDmi(tree(Map.of("sys_vendor", "Amazon EC2", "product_name", "m6i.large"))));
        assertEquals(Optional.of("aws"), Detect.fromDmi(tree(Map.of("sys_vendor", "Xen", "product_version", "4.11.amazon"))));
    }

    @Test
    void googleComputeEngine() throws IOException {
        assertEquals(Optional.of("gcp"), Detect.fromDmi(tree(Map.of(
                "sys_vendor", "Google", "product_name", "Google Compute Engine", "bios_vendor", "Google"))));
        assertEquals(Optional.of("gcp"), Detect.fromDmi(tree(Map.of("product_name", "Google Compute Engine"))));
    }

    @Test
    void azureByItsAssetTagOnly() throws IOException {
        assertEquals(Optional.of("azure"), Detect.fromDmi(tree(Map.of(
                "sys_vendor", "Microsoft Corporation", "product_name", "Virtual Machine",
                "chassis_asset_tag", "7783-7084-3265-9085-8269-3286-77"))));
        // Hyper-V on a desk says the same vendor and product, but not the asset tag.
        assertEquals(Optional.empty(), Detect.fromDmi(tree(Map.of(
                "sys_vendor", "Microsoft Corporation", "product_name", "Virtual Machine",
                "chassis_asset_tag", "0000-0000-0000-0000-0000-0000-00"))));
    }

    @Test
    void noneForOtherMachinesOrNoTreeAtAll() throws IOException {
        assertEquals(Optional.empty(), Detect.fromDmi(tree(Map.of("sys_vendor", "QEMU", "product_name", "Standard PC (Q35 + ICH9, 2009)"))));
        assertEquals(Optional.empty(), Detect.fromDmi(dir.resolve("missing")));
    }

    private Path tree(Map<String, String> files) throws IOException {
        Path tree = Files.createTempDirectory(dir, "dmi");
        for (var file : files.entrySet()) {
            Files.writeString(tree.resolve(file.getKey()), file.getValue() + "\n");
        }
        return tree;
    }
}
