package dev.bootsecrets.config;

import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.fs.UnsafePathException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The config files' layers: built-in defaults, then the image's
 * {@code /usr/lib/bootsecrets/config.d/*.yaml}, then the machine's
 * {@code /etc/bootsecrets/config.yaml} and {@code /etc/bootsecrets/config.d/*.yaml}, then
 * {@code --config FILE}. Later layers win key by key.
 */
public final class ConfigLoader {
    /** Config files are the image's and the machine's own, but still bounded. */
    static final int MAX_FILE_BYTES = 1024 * 1024;
    static final String IMAGE_DIR = "/usr/lib/bootsecrets/config.d";
    static final String MACHINE_FILE = "/etc/bootsecrets/config.yaml";
    static final String MACHINE_DIR = "/etc/bootsecrets/config.d";

    private ConfigLoader() {}

    /**
     * @param root  the target root (/ on a running machine, a sysroot in tests and for bootc);
     *              its layers are read through {@link TargetRoot}, with the symlink rules of
     *              every write: a link only root could have made is followed, any other is an error
     * @param extra {@code --config FILE}: a path on the host, not under root, read last
     */
    public static Config load(Path root, Optional<Path> extra) throws ConfigException {
        Errors errors = new Errors();
        Config config = defaults();
        try (TargetRoot target = TargetRoot.open(root)) {
            List<String> files = new ArrayList<>(dropIns(target, IMAGE_DIR, errors));
            int image = files.size();
            files.add(MACHINE_FILE);
            files.addAll(dropIns(target, MACHINE_DIR, errors));
            for (int i = 0; i < files.size(); i++) {
                String file = files.get(i);
                String shown = target.root().resolve(file.substring(1)).toString();
                config = layer(config, shown, () -> read(target, file, shown), i < image, errors);
            }
        } catch (IOException e) {
            errors.add(root + ": " + reason(e));
        }
        if (extra.isPresent()) {
            Path file = extra.get();
            config = layer(config, file.toString(), () -> read(file), false, errors);
        }
        errors.throwIfAny();
        return config;
    }

    /** The text of one layer; empty when the file is not there (only the main file may be missing). */
    private interface Source {
        Optional<String> text() throws ConfigException;
    }

    /** @param image whether the layer is the image's own, the only one that may set {@code offline} */
    private static Config layer(Config config, String shown, Source source, boolean image, Errors errors) {
        Scope scope = Scope.configFile(shown, errors);
        try {
            Optional<String> text = source.text();
            if (text.isEmpty()) {
                return config;
            }
            Object doc = Yaml.load(text.get(), shown);
            if (doc instanceof Map<?, ?> section && !image && section.containsKey("offline")) {
                errors.add(shown + ": offline: only the image's config (" + IMAGE_DIR + ") may set this");
            } else if (doc instanceof Map<?, ?> section) {
                Config layer = Schema.section(section, config.settings(), scope);
                return new Config(layer.settings(), Merge.over(config.declarations(), layer.declarations()));
            }
            if (doc != null) {
                errors.add(shown + ": must be a mapping (the bootsecrets section's keys at top level)");
            }
        } catch (ConfigException e) {
            errors.addAll(e);
        }
        return config;
    }

    /** The built-in defaults, and no declarations. */
    public static Config defaults() {
        return new Config(Schema.defaults(), Declarations.empty());
    }

    /** {@code DIR/*.yaml} in name order; a missing directory has none. Names starting with "." are editors' and skipped. */
    private static List<String> dropIns(TargetRoot root, String dir, Errors errors) {
        try {
            return root.list(dir).orElse(List.of()).stream()
                    .filter(name -> name.endsWith(".yaml") && !name.startsWith("."))
                    .map(name -> dir + "/" + name)
                    .toList();
        } catch (IOException e) {
            errors.add(root.root().resolve(dir.substring(1)) + ": " + reason(e));
            return List.of();
        }
    }

    /** A layer in the target root, read from the descriptor the safe walk opened. */
    private static Optional<String> read(TargetRoot root, String file, String shown) throws ConfigException {
        Optional<byte[]> bytes;
        try {
            bytes = root.read(file, MAX_FILE_BYTES);
        } catch (IOException e) {
            throw new ConfigException(shown + ": " + reason(e));
        }
        return bytes.isEmpty() ? Optional.empty() : Optional.of(Utf8.decode(bytes.get(), shown));
    }

    /** {@code --config FILE}, which root named on the command line. */
    private static Optional<String> read(Path file) throws ConfigException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new ConfigException(file + ": " + reason(e));
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ConfigException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
        }
        return Optional.of(Utf8.decode(bytes, file.toString()));
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof UnsafePathException u) {
            return u.reason() + " (config is read with the same symlink rules as every write)";
        }
        return "cannot read (" + e.getMessage() + ")";
    }
}
