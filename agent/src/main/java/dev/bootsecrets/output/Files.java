package dev.bootsecrets.output;

import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Declarations.FileDecl;
import dev.bootsecrets.fs.Account;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.fs.Group;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.Ownership;
import dev.bootsecrets.plan.Paths;
import dev.bootsecrets.secret.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Declared files and cloud-init write_files: content, owner, group and mode as declared. */
public final class Files {
    /** cloud-init's default for write_files; a file holding a named secret defaults to owner-only. */
    static final String KIND = "file";
    static final int LITERAL_MODE = 0644;
    static final int SECRET_MODE = 0600;

    private Files() {}

    public static List<FileIntent> plan(
            List<FileDecl> files, Map<String, Secret> secrets, Accounts accounts, List<String> errors) {
        List<FileIntent> intents = new ArrayList<>();
        for (FileDecl file : files) {
            String field = file.origin().toString();
            Optional<String> bad = Paths.problem(file.path());
            if (bad.isPresent()) {
                errors.add(field + ": " + file.path() + " " + bad.get());
                continue;
            }
            Secret value = switch (file.content()) {
                case Declarations.Content.Literal literal -> literal.bytes();
                case Declarations.Content.SecretRef ref -> secrets.get(ref.name());
            };
            if (value == null) {
                continue; // the secret's own error is already reported
            }
            Optional<Ownership> owner = ownership(file, accounts, field, errors);
            if (owner.isEmpty()) {
                continue;
            }
            boolean secret = file.content() instanceof Declarations.Content.SecretRef;
            int mode = file.mode().orElse(secret ? SECRET_MODE : LITERAL_MODE);
            Content content = file.append() ? new Content.Append(value) : new Content.Whole(value);
            intents.add(new FileIntent(file.path(), KIND, content, owner.get(), mode, field, file.origin().fromUserData(), List.of()));
        }
        return intents;
    }

    /** Owner and group by name in the target root; a missing group means the owner's own group. */
    private static Optional<Ownership> ownership(FileDecl file, Accounts accounts, String field, List<String> errors) {
        String userName = file.owner().orElse("root");
        Optional<Account> user = accounts.user(userName);
        if (user.isEmpty()) {
            errors.add(field + ": owner " + userName + " is not a user in the target root's /etc/passwd");
            return Optional.empty();
        }
        if (file.group().isEmpty()) {
            return Optional.of(Ownership.of(user.get(), accounts));
        }
        Optional<Group> group = accounts.group(file.group().get());
        if (group.isEmpty()) {
            errors.add(field + ": group " + file.group().get() + " is not a group in the target root's /etc/group");
            return Optional.empty();
        }
        return Optional.of(new Ownership(userName, user.get().uid(), group.get().name(), group.get().gid()));
    }
}
