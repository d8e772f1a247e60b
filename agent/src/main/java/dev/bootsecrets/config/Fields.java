package dev.bootsecrets.config;

import dev.bootsecrets.secret.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one field of a loaded YAML mapping as the type the schema wants. A wrong field is
 * reported through the scope (by its path, never by its value, except short words such as
 * modes and names) and comes back empty, so the caller carries on and finds the next error.
 */
final class Fields {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}\\$?");
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");
    private static final Pattern OCTAL = Pattern.compile("(?:0o)?([0-7]{1,4})");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.+/-]{1,16}");

    private Fields() {}

    /** Reads one field's value; reports a wrong one and returns empty. */
    interface Reader<T> {
        Optional<T> read(Object value, String path, Scope scope);
    }

    /** {@code map.key} read with {@code reader} if the key is there; empty if it is not. */
    static <T> Optional<T> optional(Map<?, ?> map, String key, String parent, Scope scope, Reader<T> reader) {
        return map.containsKey(key) ? reader.read(map.get(key), at(parent, key), scope) : Optional.empty();
    }

    static String at(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    /** Map keys as the text they were written as ({@code 123:} is read as a number). */
    static String key(Object key) {
        return String.valueOf(key);
    }

    /** One entry of a map of named entries: its key, its field path ({@code section.key}) and its value. */
    interface Entry {
        void read(String name, String path, Object value);
    }

    /** Each entry of the map of named entries {@code section}, in order; none when the section is absent. */
    static void entries(Object value, String section, Scope scope, Entry each) {
        if (value != null) {
            map(value, section, scope).ifPresent(all -> all.forEach((k, v) -> {
                String name = key(k);
                each.read(name, at(section, name), v);
            }));
        }
    }

    /** A short, harmless value in quotes for a message; anything else is not shown. */
    static String show(String value) {
        return WORD.matcher(value).matches() ? "\"" + value + "\"" : "the value";
    }

    static void checkKeys(Map<?, ?> map, Set<String> known, String parent, Scope scope) {
        for (Object k : map.keySet()) {
            if (!known.contains(key(k))) {
                scope.error(at(parent, key(k)), "unknown key (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    static Optional<Map<?, ?>> map(Object value, String path, Scope scope) {
        if (value instanceof Map<?, ?> m) {
            return Optional.of(m);
        }
        scope.error(path, "must be a mapping");
        return Optional.empty();
    }

    static Optional<List<?>> list(Object value, String path, Scope scope) {
        if (value instanceof List<?> l) {
            return Optional.of(l);
        }
        scope.error(path, "must be a list");
        return Optional.empty();
    }

    static Optional<String> string(Object value, String path, Scope scope) {
        if (value instanceof String s) {
            return Optional.of(s);
        }
        scope.error(path, value == null ? "is missing or empty" : "must be a string" + (value instanceof Number ? " (put it in quotes)" : ""));
        return Optional.empty();
    }

    /** A list of strings, each element's error at {@code path[i]}. */
    static Optional<List<String>> strings(Object value, String path, Scope scope) {
        Optional<List<?>> list = list(value, path, scope);
        if (list.isEmpty()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.get().size(); i++) {
            string(list.get().get(i), path + "[" + i + "]", scope).ifPresent(out::add);
        }
        return out.size() == list.get().size() ? Optional.of(out) : Optional.empty();
    }

    static Optional<Boolean> bool(Object value, String path, Scope scope) {
        if (value instanceof Boolean b) {
            return Optional.of(b);
        }
        scope.error(path, "must be true or false");
        return Optional.empty();
    }

    /** The largest size limit one may configure: well above any cloud's user-data or metadata limits. */
    static final int MAX_SIZE = 64 * 1024 * 1024;

    /** A size limit in bytes. */
    static Optional<Integer> size(Object value, String path, Scope scope) {
        if (value instanceof Integer i && i > 0 && i <= MAX_SIZE) {
            return Optional.of(i);
        }
        scope.error(path, "must be a number of bytes from 1 to " + MAX_SIZE);
        return Optional.empty();
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
    static Optional<Duration> duration(Object value, String path, Scope scope) {
        Matcher m = value instanceof String s ? DURATION.matcher(s) : null;
        if (m == null || !m.matches() || Long.parseLong(m.group(1)) == 0) {
            scope.error(path, "must be a duration above zero with a unit, such as 500ms, 30s, 2m, 1h or 7d");
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        });
    }

    /** An http or https URL; not shown in errors, as a URL may carry credentials. */
    static Optional<URI> url(Object value, String path, Scope scope) {
        if (value instanceof String s) {
            try {
                URI uri = new URI(s);
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    return Optional.of(uri);
                }
            } catch (URISyntaxException e) {
                // reported below
            }
        }
        scope.error(path, "must be an http:// or https:// URL");
        return Optional.empty();
    }

    /** A user or group name as /etc/passwd holds it (or a number). */
    static Optional<String> name(Object value, String path, Scope scope) {
        return string(value, path, scope).filter(s -> {
            boolean ok = NAME.matcher(s).matches();
            if (!ok) {
                scope.error(path, show(s) + " is not a user or group name");
            }
            return ok;
        });
    }

    static boolean secretName(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    static final String SECRET_NAME_RULE = "letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit";

    /**
     * An absolute path in plain form: no empty, "." or ".." components, not a directory.
     * Plan validation checks it again against the target root; this catches typos early.
     */
    static boolean plainAbsolute(String path) {
        if (!path.startsWith("/") || path.endsWith("/") || path.indexOf('\0') >= 0) {
            return false;
        }
        for (String part : path.substring(1).split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    static final String PATH_RULE = "is not an absolute file path (it must start with /, and have no empty, . or .. parts)";

    /**
     * A file mode: a string of octal digits ("0644", "644", "0o644") or a number (YAML reads
     * an unquoted 0644 as octal, 420). Only 0..0777: no setuid, setgid or sticky bit.
     */
    static Optional<Integer> mode(Object value, String path, Scope scope) {
        int mode;
        if (value instanceof Integer i) {
            mode = i;
        } else if (value instanceof String s && OCTAL.matcher(s).matches()) {
            Matcher m = OCTAL.matcher(s);
            m.matches();
            mode = Integer.parseInt(m.group(1), 8);
        } else if (value instanceof String s) {
            scope.error(path, show(s) + " is not an octal mode");
            return Optional.empty();
        } else {
            scope.error(path, "must be an octal mode in quotes, such as \"0644\"");
            return Optional.empty();
        }
        if (mode < 0 || mode > 0777) {
            // YAML read an unquoted 644 as decimal: the octal form shows the user what went wrong
            String shown = value instanceof Integer ? "the number " + mode + " (octal 0" + Integer.toOctalString(mode) + ")" : show((String) value);
            scope.error(path, shown + " is not a mode from 0 to 0777 (no setuid, setgid or sticky bit; write modes in quotes, such as \"0644\")");
            return Optional.empty();
        }
        return Optional.of(mode);
    }

    /** File content or an inline value: text (as UTF-8) or YAML !!binary bytes. */
    static Optional<Secret> bytes(Object value, String path, Scope scope) {
        if (value instanceof String s) {
            return Optional.of(Secret.ofUtf8(s));
        }
        if (value instanceof byte[] b) {
            return Optional.of(Secret.of(b));
        }
        scope.error(path, "must be a string (or !!binary)");
        return Optional.empty();
    }

    /** Base64 as people write it: line breaks and spaces allowed, padding optional. Empty if invalid. */
    static Optional<byte[]> base64(String text) {
        try {
            return Optional.of(Base64.getDecoder().decode(text.replaceAll("\\s", "")));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
