package dev.bootsecrets.cloud;

import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the kernel command line tells the agent: {@code bootsecrets.provider=NAME},
 * {@code bootsecrets.seed=PATH}, and cloud-init's {@code ds=nocloud;s=file:///PATH/}, which
 * means the same as provider nocloud with that seed. When a parameter is given twice, the
 * last one counts, as for the kernel's own.
 */
public record BootParameters(Optional<String> provider, Optional<String> seed) {
    static final String PROVIDER = "bootsecrets.provider";
    static final String SEED = "bootsecrets.seed";
    private static final int MAX_BYTES = 64 * 1024;

    public static final BootParameters NONE = new BootParameters(Optional.empty(), Optional.empty());

    /** The parameters in {@code cmdline} (/proc/cmdline); none when the file is missing. */
    public static BootParameters read(Path cmdline) {
        try {
            byte[] bytes = Files.readAllBytes(cmdline);
            if (bytes.length > MAX_BYTES) {
                Log.warn("kernel command line " + cmdline + " is over " + MAX_BYTES + " bytes; not read");
                return NONE;
            }
            return parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return NONE;
        } catch (IOException e) {
            Log.warn("kernel command line " + cmdline + " could not be read (" + e.getClass().getSimpleName() + ")");
            return NONE;
        }
    }

    /**
     * @throws IllegalArgumentException when a seed is not a plain absolute path
     */
    static BootParameters parse(String cmdline) {
        String provider = null;
        String seed = null;
        String dsProvider = null;
        String dsSeed = null;
        for (String word : words(cmdline)) {
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            String value = eq < 0 ? "" : word.substring(eq + 1);
            switch (name) {
                case PROVIDER -> provider = value;
                case SEED -> seed = path(value, SEED);
                case "ds" -> {
                    String[] parts = value.split(";");
                    dsProvider = null;
                    dsSeed = null;
                    if (parts[0].equalsIgnoreCase("nocloud")) {
                        dsProvider = "nocloud";
                        dsSeed = nocloudSeed(parts);
                    } else if (parts[0].toLowerCase(Locale.ROOT).startsWith("nocloud")) {
                        Log.notice("kernel command line: ds=" + parts[0].toLowerCase(Locale.ROOT)
                                + " (a seed over the network) is cloud-init's; bootsecrets reads local seeds only");
                    }
                }
                default -> { }
            }
        }
        return new BootParameters(
                Optional.ofNullable(provider != null ? provider : dsProvider),
                Optional.ofNullable(seed != null ? seed : dsSeed));
    }

    /** {@code s=} or {@code seedfrom=} of a ds=nocloud parameter, if it is a local path. */
    private static String nocloudSeed(String[] parts) {
        String seed = null;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            String value = part.startsWith("s=") ? part.substring(2)
                    : part.startsWith("seedfrom=") ? part.substring("seedfrom=".length()) : null;
            if (value == null) {
                continue;
            }
            if (value.startsWith("file://")) {
                value = value.substring("file://".length());
            }
            if (!value.startsWith("/")) {
                Log.notice("kernel command line: ds=nocloud seed is not a local path; bootsecrets reads local seeds only");
                continue;
            }
            seed = path(value, "ds=nocloud seed");
        }
        return seed;
    }

    /** An absolute path without empty, "." or ".." parts; trailing slashes dropped. */
    private static String path(String value, String what) {
        String path = value.replaceAll("/+$", "");
        boolean plain = path.startsWith("/") && path.indexOf('\0') < 0;
        for (String part : path.isEmpty() ? new String[] {""} : path.substring(1).split("/", -1)) {
            plain &= !part.isEmpty() && !part.equals(".") && !part.equals("..");
        }
        if (!plain) {
            throw new IllegalArgumentException("kernel command line: " + what + " is not a plain absolute path");
        }
        return path;
    }

    /** Words split at blanks, where double quotes keep blanks in and are themselves dropped. */
    private static List<String> words(String cmdline) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (char c : cmdline.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                inWord = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
