package dev.bootsecrets.config;

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
import java.util.stream.Stream;

/**
 * The config files' layers: built-in defaults, then the image's
 * {@code /usr/lib/bootsecrets/config.d/*.yaml}, then the machine's
 * {@code /etc/bootsecrets/config.yaml} and {@code /etc/bootsecrets/config.d/*.yaml}, then
 * {@code --config FILE}. Later layers win key by key.
 */
public final class ConfigLoader {
    /** Config files are the image's and the machine's own, but still bounded. */
    static final int MAX_FILE_BYTES = 1024 * 1024;

    private ConfigLoader() {}

    /**
     * @param root  the target root (/ on a running machine, a sysroot in tests and for bootc)
     * @param extra {@code --config FILE}: a path on the host, not under root, read last
     */
    public static Config load(Path root, Optional<Path> extra) throws ConfigException {
        Errors errors = new Errors();
        List<Path> files = new ArrayList<>(dropIns(root.resolve("usr/lib/bootsecrets/config.d"), errors));
        Path main = root.resolve("etc/bootsecrets/config.yaml");
        if (Files.exists(main)) {
            files.add(main);
        }
        files.addAll(dropIns(root.resolve("etc/bootsecrets/config.d"), errors));
        extra.ifPresent(files::add);

        Config config = defaults();
        for (Path file : files) {
            Scope scope = Scope.configFile(file.toString(), errors);
            try {
                Object doc = Yaml.load(read(file), file.toString());
                if (doc instanceof Map<?, ?> section) {
                    Config layer = Schema.section(section, config.settings(), scope);
                    config = new Config(layer.settings(), Merge.over(config.declarations(), layer.declarations()));
                } else if (doc != null) {
                    errors.add(file + ": must be a mapping (the bootsecrets section's keys at top level)");
                }
            } catch (ConfigException e) {
                errors.addAll(e);
            }
        }
        errors.throwIfAny();
        return config;
    }

    /** The built-in defaults, and no declarations. */
    public static Config defaults() {
        return new Config(Schema.defaults(), Declarations.empty());
    }

    /** {@code DIR/*.yaml} in name order; a missing directory has none. Names starting with "." are editors' and skipped. */
    private static List<Path> dropIns(Path dir, Errors errors) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> {
                String name = p.getFileName().toString();
                return name.endsWith(".yaml") && !name.startsWith(".") && Files.isRegularFile(p);
            }).sorted().toList();
        } catch (IOException e) {
            errors.add(dir + ": " + reason(e));
            return List.of();
        }
    }

    private static String read(Path file) throws ConfigException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new ConfigException(file + ": " + reason(e));
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ConfigException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
        }
        return Utf8.decode(bytes, file.toString());
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return "cannot read (" + e.getMessage() + ")";
    }
}
