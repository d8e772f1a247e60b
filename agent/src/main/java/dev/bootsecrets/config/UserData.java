package dev.bootsecrets.config;

import dev.bootsecrets.config.Declarations.SshDecl;
import dev.bootsecrets.config.Documents.Document;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import dev.bootsecrets.log.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The user-data layer: decodes the instance's user-data and lays what it declares over the
 * config files' layers, within the image's policy ({@code userData:} in the config).
 */
public final class UserData {
    /** How errors and sources name the section a cloud holds apart from user-data. */
    public static final String SECTION_PART = "bootsecrets-config";

    private UserData() {}

    /** A document of user-data as loaded: its cloud-config keys (none for a bootsecrets document) and its section's declarations. */
    private record Loaded(Map<?, ?> cloudConfig, Optional<Declarations> section, String prefix) {}

    /**
     * @param raw user-data as the metadata service returned it: gzip, MIME multipart,
     *            {@code #cloud-config} or {@code #bootsecrets-config}; anything else is
     *            ignored with a note
     * @return {@code config} with user-data's {@code defaultUser} and declarations laid over it
     */
    public static Config apply(Config config, byte[] raw) throws ConfigException {
        return apply(config, Optional.of(raw), Optional.empty());
    }

    /**
     * User-data, then {@code apart}: a bootsecrets section the cloud holds apart from
     * user-data (Google Cloud's {@code bootsecrets-config} attribute), read as a
     * {@code #bootsecrets-config} document after user-data's own and named
     * {@value #SECTION_PART} in errors and sources. Both keep to the same policy.
     */
    public static Config apply(Config config, Optional<byte[]> raw, Optional<byte[]> apart) throws ConfigException {
        UserDataPolicy policy = config.settings().userData();
        if (raw.isEmpty() && apart.isEmpty()) {
            return config;
        }
        if (!policy.enabled()) {
            Log.notice("user-data ignored: the config sets userData.enabled to false");
            return config;
        }
        List<Document> docs = new ArrayList<>();
        if (raw.isPresent()) {
            checkSize(Origin.USER_DATA, raw.get(), policy);
            docs.addAll(Documents.find(raw.get(), policy.maxBytes()));
        }
        if (apart.isPresent()) {
            checkSize(Origin.USER_DATA + ": " + SECTION_PART, apart.get(), policy);
            docs.add(new Document(true, Utf8.decode(apart.get(), Origin.USER_DATA + ": " + SECTION_PART), SECTION_PART));
        }
        Errors errors = new Errors();
        // Every section is read before any cloud-config key: the defaultUser a section sets
        // is whose keys ssh_authorized_keys are, whichever part comes first.
        Settings settings = config.settings();
        List<Loaded> loaded = new ArrayList<>();
        for (Document doc : docs) {
            String prefix = doc.part().isEmpty() ? "" : doc.part() + ".";
            Map<?, ?> root = load(doc, errors);
            Object section = doc.section() ? root : root.get("bootsecrets");
            Optional<Declarations> declared = Optional.empty();
            if (section instanceof Map<?, ?> s) {
                Config layer = Schema.section(s, settings, Scope.userData(prefix + "bootsecrets.", policy, errors));
                settings = layer.settings();
                declared = Optional.of(layer.declarations());
            } else if (section != null) {
                errors.add(Origin.USER_DATA + ": " + prefix + "bootsecrets: must be a mapping");
            }
            loaded.add(new Loaded(doc.section() ? Map.of() : root, declared, prefix));
        }
        String defaultUser = settings.defaultUser();
        Declarations declared = Declarations.empty();
        List<SshDecl> added = new ArrayList<>();
        for (Loaded doc : loaded) {
            Declarations cloud = CloudConfig.read(doc.cloudConfig(), defaultUser, Scope.userData(doc.prefix(), policy, errors));
            added.addAll(cloud.ssh());
            declared = Merge.over(declared, new Declarations(List.of(), List.of(), cloud.files()));
            if (doc.section().isPresent()) {
                declared = Merge.over(declared, doc.section().get());
            }
        }
        errors.throwIfAny();
        // The section's keys for a user replace the config files'; cloud-config's keys add to them.
        Declarations merged = Merge.over(config.declarations(), declared);
        List<SshDecl> ssh = new ArrayList<>(merged.ssh());
        ssh.addAll(added);
        return new Config(settings, merged.withSsh(ssh));
    }

    private static void checkSize(String what, byte[] raw, UserDataPolicy policy) throws ConfigException {
        if (raw.length > policy.maxBytes()) {
            throw new ConfigException(what + ": " + raw.length + " bytes is over the limit of " + policy.maxBytes());
        }
    }

    /** The document's top-level mapping; empty if it is empty or wrong (the error recorded). */
    private static Map<?, ?> load(Document doc, Errors errors) {
        String what = doc.part().isEmpty() ? Origin.USER_DATA : Origin.USER_DATA + ": " + doc.part();
        try {
            Object root = Yaml.load(doc.text(), what);
            if (root instanceof Map<?, ?> map) {
                return map;
            }
            if (root != null) {
                errors.add(what + ": " + (doc.section() ? Documents.SECTION : Documents.CLOUD_CONFIG) + " must be a mapping");
            }
        } catch (ConfigException e) {
            errors.addAll(e);
        }
        return Map.of();
    }
}
