package dev.bootsecrets.config;

import dev.bootsecrets.config.Declarations.SshDecl;
import dev.bootsecrets.config.Documents.Document;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import dev.bootsecrets.log.Log;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The user-data layer: decodes the instance's user-data and lays what it declares over the
 * config files' layers, within the image's policy ({@code userData:} in the config).
 */
public final class UserData {
    /** How errors and sources name the section a cloud holds apart from user-data. */
    public static final String SECTION_PART = "bootsecrets-config";
    /** The key of a cloud-config document that holds the bootsecrets section. */
    private static final String SECTION_KEY = "bootsecrets";

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
        return apply(config, Optional.of(raw), Optional.empty(), Optional.empty());
    }

    /**
     * User-data, then {@code apart}: a bootsecrets section the cloud holds apart from
     * user-data (Google Cloud's {@code bootsecrets-config} attribute), read as a
     * {@code #bootsecrets-config} document after user-data's own and named
     * {@value #SECTION_PART} in errors and sources. Both keep to the same policy.
     *
     * @param apartSshRefusal why the cloud keeps SSH keys from {@code apart} out (OS Login):
     *                        its {@code ssh:} is then left out with a notice
     */
    public static Config apply(Config config, Optional<byte[]> raw, Optional<byte[]> apart,
            Optional<String> apartSshRefusal) throws ConfigException {
        UserDataPolicy policy = config.settings().userData();
        if (raw.isEmpty() && apart.isEmpty()) {
            return config;
        }
        if (!policy.enabled()) {
            Log.notice("user-data ignored: the config sets userData.enabled to false");
            return config;
        }
        List<Document> docs = new ArrayList<>();
        Budget budget = Budget.of(policy.maxBytes());
        if (raw.isPresent()) {
            checkSize(Origin.USER_DATA, raw.get(), policy);
            docs.addAll(Documents.find(raw.get(), budget));
        }
        if (apart.isPresent()) {
            checkSize(Origin.USER_DATA + ": " + SECTION_PART, apart.get(), policy);
            budget.charge(apart.get().length, Origin.USER_DATA + ": " + SECTION_PART);
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
            Object section = doc.section() ? root : root.get(SECTION_KEY);
            Optional<Declarations> declared = Optional.empty();
            if (section instanceof Map<?, ?> s) {
                Config layer = Schema.section(s, settings, Scope.userData(prefix + "bootsecrets.", policy, budget, errors));
                settings = layer.settings();
                declared = Optional.of(layer.declarations());
                if (doc.part().equals(SECTION_PART) && apartSshRefusal.isPresent() && !layer.declarations().ssh().isEmpty()) {
                    Log.notice(Origin.USER_DATA + ": " + SECTION_PART + ": its SSH keys are not installed: "
                            + apartSshRefusal.get());
                    declared = Optional.of(layer.declarations().withSsh(List.of()));
                }
            } else if (section != null) {
                errors.add(Origin.USER_DATA + ": " + prefix + "bootsecrets: must be a mapping");
            }
            loaded.add(new Loaded(doc.section() ? Map.of() : root, declared, prefix));
        }
        String defaultUser = settings.defaultUser();
        Declarations declared = Declarations.empty();
        List<SshDecl> added = new ArrayList<>();
        for (Loaded doc : loaded) {
            Declarations cloud = CloudConfig.read(doc.cloudConfig(), defaultUser, Scope.userData(doc.prefix(), policy, budget, errors));
            added.addAll(cloud.ssh());
            declared = Merge.over(declared, new Declarations(List.of(), List.of(), cloud.files()));
            if (doc.section().isPresent()) {
                declared = Merge.over(declared, doc.section().get());
            }
        }
        keepsToConfig(config.declarations(), declared, policy, errors);
        errors.throwIfAny();
        // The section's keys for a user replace the config files'; cloud-config's keys add to them.
        Declarations merged = Merge.over(config.declarations(), declared);
        List<SshDecl> ssh = new ArrayList<>(merged.ssh());
        ssh.addAll(added);
        return new Config(settings, merged.withSsh(ssh));
    }

    /**
     * User-data's declarations keep off the config's: a credential or podman secret the config
     * declares is not replaced, and unless {@code userData.configSecrets} allows it, neither is a
     * file, and the config's secrets are neither used (copied out to a file of user-data's
     * choosing) nor replaced (fed to the config's own outputs and its join).
     */
    private static void keepsToConfig(Declarations config, Declarations userData, UserDataPolicy policy, Errors errors) {
        notReplaced(config.credentials(), userData.credentials(), Declarations.CredentialDecl::name,
                Declarations.CredentialDecl::origin, "the config declares this credential", errors);
        notReplaced(config.podman(), userData.podman(), Declarations.PodmanDecl::name,
                Declarations.PodmanDecl::origin, "the config declares this podman secret", errors);
        if (policy.configSecrets()) {
            return; // an image that trusts user-data this far lets it win entry by entry
        }
        // The same spelling would replace the config's file in the merge; another spelling of the
        // same place is caught at plan time, where both are still there to compare.
        notReplaced(config.files(), userData.files(), Declarations.FileDecl::path, Declarations.FileDecl::origin,
                "the config declares this file", errors);
        Set<String> configSecrets = new HashSet<>();
        config.secrets().forEach(s -> configSecrets.add(s.name()));
        Set<String> own = new HashSet<>();
        for (Declarations.SecretDecl secret : userData.secrets()) {
            own.add(secret.name());
            if (configSecrets.contains(secret.name())) {
                errors.add(secret.origin().layer() + ": " + secret.origin().field()
                        + ": the config declares this secret; user-data may not replace it (userData.configSecrets is false)");
            }
        }
        for (Declarations.Reference ref : userData.references()) {
            if (!own.contains(ref.secret()) && configSecrets.contains(ref.secret())) {
                errors.add(ref.field().replaceFirst(":", ": ") + ": secret " + ref.secret()
                        + " is the config's; user-data may not use it (userData.configSecrets is false)");
            }
        }
    }

    /** An error for each of user-data's declarations whose {@code key} one of the config's has: user-data never replaces those. */
    private static <T> void notReplaced(List<T> config, List<T> userData, Function<T, String> key,
            Function<T, Origin> origin, String why, Errors errors) {
        Set<String> taken = new HashSet<>();
        config.forEach(c -> taken.add(key.apply(c)));
        for (T declared : userData) {
            if (taken.contains(key.apply(declared))) {
                Origin at = origin.apply(declared);
                errors.add(at.layer() + ": " + at.field() + ": " + why + "; user-data never replaces it");
            }
        }
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
            // A #bootsecrets-config document is read whole; of cloud-config, only our keys.
            Object root = doc.section() ? Yaml.load(doc.text(), what)
                    : Yaml.load(doc.text(), what, key -> key.equals(SECTION_KEY) || CloudConfig.KEYS.contains(key));
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
