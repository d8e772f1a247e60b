package dev.bootsecrets.config;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code metadata.lockdown}: after the run, only root (and processes whose group is
 * {@code group}) may reach the metadata service for the rest of the boot, so user-data and
 * instance credentials are not readable by every process. Off unless the image's or the
 * machine's config turns it on; user-data cannot set it (metadata is config only).
 *
 * @param enabled    whether the rule set is installed after the run
 * @param group      a group of the target root whose processes may reach the service too
 * @param containers whether containers with bridge or NAT networking (traffic the host forwards)
 *                   may reach it too; off by default, as no socket owner can be told there
 */
public record Lockdown(boolean enabled, Optional<String> group, boolean containers) {
    public static final Lockdown OFF = new Lockdown(false, Optional.empty(), false);
    private static final Set<String> KEYS = Set.of("enabled", "group", "containers");

    public Lockdown(boolean enabled, Optional<String> group) {
        this(enabled, group, false);
    }

    /** The block laid over {@code base}, key by key; a wrong value is reported and the base kept. */
    static Lockdown read(Object value, Lockdown base, Scope scope) {
        String path = "metadata.lockdown";
        Optional<Map<?, ?>> block = Fields.map(value, path, scope);
        if (block.isEmpty()) {
            return base;
        }
        Map<?, ?> m = block.get();
        Fields.checkKeys(m, KEYS, path, scope);
        boolean enabled = Fields.optional(m, "enabled", path, scope, Fields::bool).orElse(base.enabled());
        Optional<String> group = m.containsKey("group") && m.get("group") == null
                ? Optional.empty()
                : Fields.optional(m, "group", path, scope, Fields::name).or(base::group);
        boolean containers = Fields.optional(m, "containers", path, scope, Fields::bool).orElse(base.containers());
        return new Lockdown(enabled, group, containers);
    }
}
