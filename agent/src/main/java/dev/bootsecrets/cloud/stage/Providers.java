package dev.bootsecrets.cloud.stage;

import dev.bootsecrets.cloud.BootParameters;
import dev.bootsecrets.cloud.Cloud;
import dev.bootsecrets.cloud.Machine;
import dev.bootsecrets.cloud.MetadataProvider;
import dev.bootsecrets.cloud.MetadataRoute;
import dev.bootsecrets.cloud.aws.AwsCloud;
import dev.bootsecrets.cloud.azure.AzureCloud;
import dev.bootsecrets.cloud.gcp.GcpCloud;
import dev.bootsecrets.cloud.imdsd.Imdsd;
import dev.bootsecrets.cloud.nocloud.NoCloudProvider;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The identify stage. The provider named by {@code --provider} wins, then the kernel command
 * line's, then the config's; {@code auto} (the default) asks systemd-imdsd when its socket is
 * there, else looks at DMI for a cloud, then for a NoCloud seed directory; without any the run
 * applies local config only. {@link #CLOUDS} registers the clouds.
 */
public final class Providers {
    public static final String AUTO = "auto";
    public static final String NONE = "none";
    private static final Pattern SHOWN = Pattern.compile("[a-z0-9-]{1,20}");
    /** Every cloud, in the order DMI is matched (Azure's asset tag is the most specific). */
    public static final List<Cloud> CLOUDS = List.of(AzureCloud.CLOUD, GcpCloud.CLOUD, AwsCloud.CLOUD);

    private Providers() {}

    /**
     * The provider for this run, or empty when there is no cloud to ask.
     *
     * @param forced the {@code --provider} flag
     * @throws IllegalArgumentException for a provider name this agent does not know, or a
     *                                  kernel command line seed that is not a plain path
     */
    public static Optional<MetadataProvider> select(
            Settings settings, Optional<String> forced, Machine machine, TargetRoot root, MetadataHttp http) {
        BootParameters boot = BootParameters.read(machine.cmdline());
        String name = forced.or(boot::provider).orElse(settings.provider());
        String from = forced.isPresent() ? "--provider" : boot.provider().isPresent() ? "the kernel command line" : "config";
        String seed = boot.seed().orElse(settings.nocloud().seed());
        if (name.equals(AUTO)) {
            Optional<String> detected = Detect.fromDmi(machine.dmi());
            if (Imdsd.present(settings)) {
                name = Imdsd.NAME;
                Log.info("systemd-imdsd's socket is at " + settings.route().imdsd() + "; asking it for the metadata");
            } else if (detected.isPresent()) {
                name = detected.get();
                Log.info("detected provider " + name + " from DMI");
            } else if (hasSeed(root, seed)) {
                name = NoCloudProvider.NAME;
                Log.info("no cloud in DMI; using the NoCloud seed in " + seed);
            } else {
                Log.notice("no cloud detected from DMI under " + machine.dmi() + " and no NoCloud seed in " + seed
                        + "; applying local config only");
                return Optional.empty();
            }
        } else {
            Log.info("provider " + name + " (from " + from + ")");
        }
        if (name.equals(NONE)) {
            return Optional.empty();
        }
        if (name.equals(NoCloudProvider.NAME)) {
            return Optional.of(new NoCloudProvider(root, seed));
        }
        if (name.equals(Imdsd.NAME)) {
            return Optional.of(new Deferred(name, deadline -> Imdsd.provider(CLOUDS, settings, root, http, deadline)));
        }
        Optional<Cloud> named = named(name);
        if (named.isEmpty()) {
            throw new IllegalArgumentException(from + ": provider " + (SHOWN.matcher(name).matches() ? "\"" + name + "\" " : "")
                    + "is not one this agent knows (use auto, " + String.join(", ", CLOUDS.stream().map(Cloud::name).toList())
                    + ", imdsd, nocloud or none)");
        }
        Cloud cloud = named.get();
        return Optional.of(new Deferred(name, deadline -> cloud.provider().make(
                new Cloud.Wiring(settings, MetadataRoute.endpoint(cloud, settings, deadline), Optional.empty(), root, http))));
    }

    /** The cloud of this name, if it is one. */
    public static Optional<Cloud> named(String name) {
        return CLOUDS.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The cloud whose secrets managers read {@code from:} sources of {@code kind}, if one does. */
    public static Optional<Cloud> reading(String kind) {
        return CLOUDS.stream().filter(c -> c.sourceKinds().contains(kind)).findFirst();
    }

    /**
     * The cloud this machine runs on, by the rules {@link #select} follows (the kernel command
     * line, then the config, then DMI for {@code auto}), without a metadata request: for the
     * credential helper, which needs to know whose identity it has.
     */
    public static Optional<String> cloud(Settings settings, Machine machine) {
        String name = BootParameters.read(machine.cmdline()).provider().orElse(settings.provider());
        // systemd-imdsd reads the same cloud DMI names; the credential helper's tokens come from the cloud itself
        return name.equals(AUTO) || name.equals(Imdsd.NAME) ? Detect.fromDmi(machine.dmi()) : Optional.of(name);
    }

    /** Whether a NoCloud seed is there: its meta-data file, as cloud-init requires. */
    private static boolean hasSeed(TargetRoot root, String seed) {
        try {
            return root.exists(seed + "/" + NoCloudProvider.META_DATA);
        } catch (IOException e) {
            Log.warn("NoCloud seed " + seed + " could not be looked at: " + e.getMessage());
            return false;
        }
    }
}
