package dev.bootsecrets.cloud.gcp;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.log.Log;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Google Cloud's SSH keys in metadata: which attributes count, whose each line is, and which
 * have expired. A line is {@code USER:TYPE BLOB [COMMENT]}; a key the console or gcloud made
 * for a while has the comment {@code google-ssh {"userName":...,"expireOn":...}}.
 */
final class GcpKeys {
    static final String SSH_KEYS = "ssh-keys";
    /** The deprecated name; on the instance it also shuts out the project's keys. */
    static final String LEGACY_SSH_KEYS = "sshKeys";
    static final String BLOCK_PROJECT_KEYS = "block-project-ssh-keys";
    static final String OS_LOGIN = "enable-oslogin";

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}");
    private static final String GOOGLE_SSH = "google-ssh";
    /** GCP writes +0000; ISO's +00:00 and Z are read too. */
    private static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]Z", Locale.ROOT);

    private GcpKeys() {}

    /** Keys by user from the instance's and (unless blocked) the project's attributes; none under OS Login. */
    static Map<String, List<String>> byUser(Map<String, String> instance, Map<String, String> project, Instant now) {
        if (osLogin(instance, project)) {
            Log.notice("gcp: OS Login is enabled (" + OS_LOGIN + "), so SSH keys in metadata are not installed");
            return Map.of();
        }
        Map<String, List<String>> keys = new LinkedHashMap<>();
        add(keys, "instance " + SSH_KEYS, instance.get(SSH_KEYS), now);
        add(keys, "instance " + LEGACY_SSH_KEYS, instance.get(LEGACY_SSH_KEYS), now);
        if (projectKeysBlocked(instance)) {
            Log.info("gcp: the project's SSH keys are blocked (" + BLOCK_PROJECT_KEYS + ", or the instance's own "
                    + LEGACY_SSH_KEYS + ")");
        } else {
            add(keys, "project " + SSH_KEYS, project.get(SSH_KEYS), now);
            add(keys, "project " + LEGACY_SSH_KEYS, project.get(LEGACY_SSH_KEYS), now);
        }
        return keys;
    }

    /**
     * Why the bootsecrets section's {@code ssh:} may not be installed, by the same rules as
     * every other SSH key in metadata; empty when it may.
     *
     * @param fromProject the section is the project's attribute, not the instance's
     */
    static Optional<String> sectionSshRefusal(Map<String, String> instance, Map<String, String> project, boolean fromProject) {
        if (osLogin(instance, project)) {
            return Optional.of("OS Login is enabled (" + OS_LOGIN + ")");
        }
        if (fromProject && projectKeysBlocked(instance)) {
            return Optional.of("the section is the project's, and the project's SSH keys are blocked (" + BLOCK_PROJECT_KEYS + ")");
        }
        return Optional.empty();
    }

    /** OS Login, the instance's setting over the project's. */
    private static boolean osLogin(Map<String, String> instance, Map<String, String> project) {
        return isTrue(instance.containsKey(OS_LOGIN) ? instance.get(OS_LOGIN) : project.get(OS_LOGIN));
    }

    /** The deprecated sshKeys on the instance also shuts out the project's keys. */
    private static boolean projectKeysBlocked(Map<String, String> instance) {
        return instance.containsKey(LEGACY_SSH_KEYS) || isTrue(instance.get(BLOCK_PROJECT_KEYS));
    }

    static boolean isTrue(String value) {
        return value != null && value.strip().equalsIgnoreCase("true");
    }

    private static void add(Map<String, List<String>> keys, String where, String value, Instant now) {
        if (value == null) {
            return;
        }
        String[] lines = value.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String at = "gcp: " + where + " line " + (i + 1);
            int colon = line.indexOf(':');
            String user = colon < 0 ? "" : line.substring(0, colon);
            if (!USER.matcher(user).matches()) {
                Log.warn(at + ": does not start with a user name and ':'; skipped");
                continue;
            }
            String key = line.substring(colon + 1).strip();
            if (stillValid(key, user, at, now)) {
                keys.computeIfAbsent(user, u -> new ArrayList<>()).add(key);
            }
        }
    }

    /** False for a key whose google-ssh expiry has passed, or cannot be read. */
    private static boolean stillValid(String key, String user, String at, Instant now) {
        String[] fields = key.split("\\s+", 3);
        if (fields.length < 3 || !fields[2].startsWith(GOOGLE_SSH)) {
            return true;
        }
        String json = fields[2].substring(GOOGLE_SSH.length()).strip();
        String expireOn;
        try {
            JsonNode node = JsonTree.read(json);
            if (node == null || !node.path("expireOn").isTextual()) {
                return true; // google-ssh without an expiry does not expire
            }
            expireOn = node.path("expireOn").asText();
        } catch (JacksonException e) {
            Log.warn(at + ": the google-ssh comment is not JSON; the key of " + user + " is left out");
            return false;
        }
        Optional<Instant> expiry = parseExpiry(expireOn);
        if (expiry.isEmpty()) {
            Log.warn(at + ": expireOn is not a time; the key of " + user + " is left out");
            return false;
        }
        if (!expiry.get().isAfter(now)) {
            Log.info(at + ": the key of " + user + " expired at " + expiry.get() + "; left out");
            return false;
        }
        return true;
    }

    static Optional<Instant> parseExpiry(String text) {
        for (DateTimeFormatter format : new DateTimeFormatter[] {EXPIRY, DateTimeFormatter.ISO_OFFSET_DATE_TIME}) {
            try {
                return Optional.of(OffsetDateTime.parse(text, format).toInstant());
            } catch (DateTimeParseException e) {
                // try the next form
            }
        }
        return Optional.empty();
    }
}
