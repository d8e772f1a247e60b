package dev.bootsecrets.cloud;

import java.nio.file.Path;

/**
 * Where the identify stage looks on this machine, as parameters so tests can hand it fakes.
 *
 * @param dmi     the firmware's DMI strings (sysfs)
 * @param cmdline the kernel command line
 */
public record Machine(Path dmi, Path cmdline) {
    public static final Machine LOCAL = new Machine(Path.of("/sys/class/dmi/id"), Path.of("/proc/cmdline"));
}
