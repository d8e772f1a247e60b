package dev.bootsecrets.plan;

import dev.bootsecrets.fs.Account;
import dev.bootsecrets.fs.Accounts;

/** Owner and group of a planned path, by name (for people) and by number (for chown). */
public record Ownership(String user, int uid, String group, int gid) {
    public static final Ownership ROOT = new Ownership("root", 0, "root", 0);

    /** {@code account} with its own (primary) group, named as the target root names it. */
    public static Ownership of(Account account, Accounts accounts) {
        return new Ownership(account.name(), account.uid(), accounts.groupName(account.gid()), account.gid());
    }

    @Override
    public String toString() {
        return user + ":" + group;
    }
}
