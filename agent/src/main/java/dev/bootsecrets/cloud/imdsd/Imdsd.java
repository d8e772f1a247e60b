package dev.bootsecrets.cloud.imdsd;

import dev.bootsecrets.cloud.Cloud;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataProvider;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.log.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code imdsd} provider: systemd-imdsd (systemd 261) on this host, asked over Varlink at
 * {@code metadata.imdsd}. {@code GetVendorInfo} says which cloud it serves; that cloud's own
 * provider then reads its keys through systemd-imdsd, while what systemd-imdsd does not serve
 * (secrets managers' credentials, Azure's ready report) still goes to the cloud directly.
 */
public final class Imdsd {
    public static final String NAME = "imdsd";

    private Imdsd() {}

    /** Whether systemd-imdsd's socket is there (on the host: a target root does not have it). */
    public static boolean present(Settings settings) {
        return Files.exists(Path.of(settings.route().imdsd()));
    }

    /**
     * The provider of the cloud systemd-imdsd reports, reading through it.
     *
     * @throws MetadataException when systemd-imdsd does not answer (an outage), or reports a
     *                           cloud that is not one of {@code clouds} (invalid)
     */
    public static MetadataProvider provider(List<Cloud> clouds, Settings settings, TargetRoot root, MetadataHttp http,
            Deadline deadline) throws MetadataException {
        Path socket = Path.of(settings.route().imdsd());
        String where = "systemd-imdsd at " + socket;
        Varlink.Reply info = ImdsdKeys.call(socket, "GetVendorInfo", null, deadline);
        if (!info.ok()) {
            throw ImdsdKeys.failed(socket, info, where);
        }
        String vendor = info.parameters().path("vendor").asText("");
        Cloud cloud = clouds.stream().filter(c -> c.imdsdVendor().equals(vendor)).findFirst()
                .orElseThrow(() -> MetadataException.invalid(where, "reports a cloud this agent does not know"
                        + (vendor.matches("[a-z0-9-]{1,40}") ? " (" + vendor + ")" : "")));
        Log.info(NAME + ": systemd-imdsd serves " + vendor + "; reading " + cloud.name() + " metadata through it");
        return cloud.provider().make(new Cloud.Wiring(settings, settings.metadataUrl().orElse(cloud.pinned(settings)),
                Optional.of(d -> new ImdsdKeys(socket, d)), root, http));
    }
}
