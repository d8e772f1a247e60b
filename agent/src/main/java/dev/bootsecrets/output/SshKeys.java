package dev.bootsecrets.output;

import dev.bootsecrets.fs.Account;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.FileIntent.DirIntent;
import dev.bootsecrets.plan.Ownership;
import dev.bootsecrets.plan.Paths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * SSH authorized keys: one block the agent owns in each user's ~/.ssh/authorized_keys.
 * Keys are checked the way sshd would read them (known type, base64 blob whose embedded type
 * matches), duplicates dropped; a bad key is skipped with a warning, not a failed run.
 */
public final class SshKeys {
    static final Set<String> TYPES = Set.of(
            "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
            "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com");

    static final String KIND = "ssh";

    /** One key line as declared, with where it came from. */
    public record Declared(String line, String source) {}

    private SshKeys() {}

    /** Plans the authorized_keys of every user in {@code keysByUser}, in a stable order. */
    public static List<FileIntent> plan(Map<String, List<Declared>> keysByUser, Accounts accounts, TargetRoot root,
            List<String> errors, List<String> warnings) {
        List<FileIntent> intents = new ArrayList<>();
        for (Map.Entry<String, List<Declared>> entry : keysByUser.entrySet()) {
            String user = entry.getKey();
            Set<String> sources = new LinkedHashSet<>();
            entry.getValue().forEach(k -> sources.add(k.source()));
            Optional<Account> account = accounts.user(user);
            if (account.isEmpty()) {
                errors.add("ssh keys for " + user + " (" + String.join(", ", sources)
                        + "): no such user in the target root's /etc/passwd");
                continue;
            }
            String home = account.get().home();
            Optional<String> bad = Paths.problem(home + "/.ssh/authorized_keys");
            if (bad.isPresent() || home.equals("/")) {
                errors.add("ssh keys for " + user + ": home directory " + home + " is not usable");
                continue;
            }
            Optional<String> notOwn = notTheirOwn(account.get(), accounts, root);
            if (notOwn.isPresent()) {
                warnings.add("ssh keys for " + user + " (" + String.join(", ", sources) + ") skipped: "
                        + notOwn.get() + "; its files are left alone");
                continue;
            }
            String lines = validKeys(user, entry.getValue(), warnings);
            Ownership owner = Ownership.of(account.get(), accounts);
            intents.add(new FileIntent(
                    home + "/.ssh/authorized_keys",
                    KIND,
                    new Content.Block(lines),
                    owner,
                    0600,
                    sources.isEmpty() ? FileIntent.NO_LONGER_DECLARED : String.join(", ", sources),
                    false, // its place is the account's; sshUsers decided whose keys come from user-data
                    List.of(new DirIntent(home, owner, 0700, false), new DirIntent(home + "/.ssh", owner, 0700, true))));
        }
        return intents;
    }

    /**
     * Why the user's home or ~/.ssh is not theirs to get keys in, or empty: one that belongs to
     * another uid (its owner, not this user, controls the keys), or a home shared with another
     * uid that does not exist yet (whoever comes first would own it). Looked at here to warn
     * and skip; the writer decides again on the directories it opens.
     */
    static Optional<String> notTheirOwn(Account account, Accounts accounts, TargetRoot root) {
        String home = account.home();
        try {
            for (String dir : List.of(home, home + "/.ssh")) {
                OptionalInt owner = root.ownerOf(dir);
                if (owner.isPresent() && owner.getAsInt() != account.uid()) {
                    return Optional.of(dir + " belongs to uid " + owner.getAsInt() + ", not to " + account.name()
                            + " (uid " + account.uid() + ")");
                }
                if (owner.isEmpty() && dir.equals(home) && !accounts.sharingHome(account).isEmpty()) {
                    return Optional.of("home " + home + " is shared with " + String.join(", ", accounts.sharingHome(account)));
                }
            }
        } catch (IOException e) {
            return Optional.empty(); // a planted link and the like: the writer refuses it, as an error
        }
        return Optional.empty();
    }

    /** The valid, distinct keys as authorized_keys lines; each bad one becomes a warning. */
    static String validKeys(String user, List<Declared> keys, List<String> warnings) {
        Map<String, String> byBlob = new LinkedHashMap<>();
        int index = 0;
        for (Declared key : keys) {
            index++;
            String line = key.line().strip();
            Optional<String> problem = problem(line);
            if (problem.isPresent()) {
                warnings.add("ssh key #" + index + " for " + user + " (" + key.source() + ") skipped: " + problem.get());
                continue;
            }
            byBlob.putIfAbsent(blob(line), line);
        }
        StringBuilder out = new StringBuilder();
        byBlob.values().forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }

    /** Why sshd would not accept {@code line} as a key, or empty. */
    static Optional<String> problem(String line) {
        if (line.isEmpty() || line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            return Optional.of("empty or more than one line");
        }
        List<String> fields = fields(line);
        int at = typeIndex(fields);
        if (at < 0) {
            return Optional.of("no known key type (" + String.join(", ", TYPES.stream().sorted().toList()) + ")");
        }
        if (at + 1 >= fields.size()) {
            return Optional.of("no key data after " + fields.get(at));
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(fields.get(at + 1));
        } catch (IllegalArgumentException e) {
            return Optional.of("key data is not valid base64");
        }
        // The blob starts with its own type as an SSH string: uint32 length, then the name.
        ByteBuffer buffer = ByteBuffer.wrap(blob);
        if (blob.length < 4) {
            return Optional.of("key data is truncated");
        }
        int length = buffer.getInt();
        if (length < 0 || length > blob.length - 4) {
            return Optional.of("key data is truncated");
        }
        String embedded = new String(blob, 4, length, StandardCharsets.US_ASCII);
        if (!embedded.equals(fields.get(at))) {
            // The blob is the line's own text, decoded: only a type this program knows is shown.
            return Optional.of(TYPES.contains(embedded) ? "key data is a " + embedded + " key, not " + fields.get(at)
                    : "key data is of another type than " + fields.get(at));
        }
        return Optional.empty();
    }

    private static String blob(String line) {
        List<String> fields = fields(line);
        return fields.get(typeIndex(fields) + 1);
    }

    /** The key type is the first field, or the second when options come first. */
    private static int typeIndex(List<String> fields) {
        for (int i = 0; i < Math.min(2, fields.size()); i++) {
            if (TYPES.contains(fields.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Splits on blanks outside double quotes (options such as command="a b"). */
    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if ((c == ' ' || c == '\t') && !quoted) {
                if (!field.isEmpty()) {
                    out.add(field.toString());
                    field.setLength(0);
                }
            } else {
                field.append(c);
            }
        }
        if (!field.isEmpty()) {
            out.add(field.toString());
        }
        return out;
    }
}
