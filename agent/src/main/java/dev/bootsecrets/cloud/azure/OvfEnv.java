package dev.bootsecrets.cloud.azure;

import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;

/**
 * Custom data from the ovf-env.xml of Azure's provisioning media (a UDF CD-ROM the image
 * must mount for it to be read). The file may also hold the admin password, so nothing of it
 * but the CustomData element is read, and none of it is ever shown.
 */
final class OvfEnv {
    /** Azure accepts 64 KiB of custom data; base64 and the rest of the file make it bigger. */
    private static final int MAX_BYTES = 1 << 20;

    private OvfEnv() {}

    /** The decoded CustomData, or empty when the file is not there or holds none. */
    static Optional<byte[]> customData(TargetRoot root, String path) throws MetadataException {
        byte[] file = null;
        try {
            file = root.read(path, MAX_BYTES).orElse(null);
            if (file == null) {
                Log.debug("azure: no provisioning media at " + path + ", so no custom data");
                return Optional.empty();
            }
            return customData(file, path);
        } catch (IOException e) {
            throw MetadataException.invalid(path, e.getMessage());
        } finally {
            if (file != null) {
                Secret.wipe(file);
            }
        }
    }

    /** The decoded CustomData of the ovf-env.xml {@code file} read from {@code path}. */
    static Optional<byte[]> customData(byte[] file, String path) throws MetadataException {
        try {
            Optional<String> encoded = Xml.anywhere(Xml.parse(file, path), "CustomData");
            if (encoded.isEmpty() || encoded.get().isEmpty()) {
                return Optional.empty();
            }
            Log.info("azure: user-data from the custom data in " + path);
            return Optional.of(Base64.getMimeDecoder().decode(encoded.get()));
        } catch (IllegalArgumentException e) {
            throw MetadataException.invalid(path, "CustomData is not valid base64");
        } catch (IOException e) {
            throw MetadataException.invalid(path, e.getMessage());
        }
    }
}
