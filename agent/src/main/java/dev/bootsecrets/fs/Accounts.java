package dev.bootsecrets.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The users and groups of the target root, read from its own passwd and group files (what
 * the machine has, not what the host running the agent has). /etc comes first; the
 * /usr/lib files that nss-altfiles images (Fedora CoreOS, RHCOS) keep their system users in
 * fill in names /etc lacks. "root" always resolves, even with no files at all.
 */
public final class Accounts {
    private static final int MAX_BYTES = 8 * 1024 * 1024;
    private static final List<String> PASSWD_FILES = List.of("/etc/passwd", "/usr/lib/passwd");
    private static final List<String> GROUP_FILES = List.of("/etc/group", "/usr/lib/group");

    private final Map<String, Account> users;
    private final Map<String, Group> groups;

    private Accounts(Map<String, Account> users, Map<String, Group> groups) {
        this.users = Map.copyOf(users);
        this.groups = Map.copyOf(groups);
    }

    public static Accounts load(TargetRoot root) throws IOException {
        Map<String, Account> users = new HashMap<>();
        Map<String, Group> groups = new HashMap<>();
        for (String file : PASSWD_FILES) {
            eachLine(root, file, fields -> parseUser(fields).ifPresent(a -> users.putIfAbsent(a.name(), a)));
        }
        for (String file : GROUP_FILES) {
            eachLine(root, file, fields -> parseGroup(fields).ifPresent(g -> groups.putIfAbsent(g.name(), g)));
        }
        users.putIfAbsent("root", new Account("root", 0, 0, "/root"));
        groups.putIfAbsent("root", new Group("root", 0));
        return new Accounts(users, groups);
    }

    /** This process's uid, as its user namespace shows it (a rootless podman's child sees 0). */
    public static int processUid() {
        return Libc.getuid();
    }

    /** Only root, at /root: for judging places without a target root ({@code check} offline). */
    public static Accounts rootOnly() {
        return new Accounts(Map.of("root", new Account("root", 0, 0, "/root")), Map.of("root", new Group("root", 0)));
    }

    /** Every user of the target root. */
    public Collection<Account> all() {
        return users.values();
    }

    /** The user with this name (names only: a numeric string is not taken as a uid). */
    public Optional<Account> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    /**
     * The other users with the same home directory and another uid, by name (Fedora's
     * operator shares root's /root): whoever owns that home controls their ~/.ssh.
     */
    public List<String> sharingHome(Account account) {
        String home = stripSlash(account.home());
        return users.values().stream()
                .filter(a -> a.uid() != account.uid() && stripSlash(a.home()).equals(home))
                .map(Account::name)
                .sorted()
                .toList();
    }

    private static String stripSlash(String home) {
        return home.length() > 1 && home.endsWith("/") ? home.substring(0, home.length() - 1) : home;
    }

    public Optional<Group> group(String name) {
        return Optional.ofNullable(groups.get(name));
    }

    /** The name of the group with this gid, or the number itself when no group has it. */
    public String groupName(int gid) {
        return groups.values().stream()
                .filter(g -> g.gid() == gid)
                .map(Group::name)
                .sorted()
                .findFirst()
                .orElse(Integer.toString(gid));
    }

    /** Calls {@code action} with the ':'-separated fields of each entry; comments and blank lines are skipped. */
    private static void eachLine(TargetRoot root, String file, Consumer<String[]> action) throws IOException {
        Optional<byte[]> content = root.read(file, MAX_BYTES);
        if (content.isEmpty()) {
            return;
        }
        for (String line : new String(content.get(), StandardCharsets.UTF_8).split("\n")) {
            String entry = line.strip();
            if (!entry.isEmpty() && !entry.startsWith("#")) {
                action.accept(entry.split(":", -1));
            }
        }
    }

    /** name:password:uid:gid:gecos:home:shell; anything else is ignored. */
    private static Optional<Account> parseUser(String[] fields) {
        if (fields.length != 7 || !validName(fields[0])) {
            return Optional.empty();
        }
        int uid = id(fields[2]);
        int gid = id(fields[3]);
        if (uid < 0 || gid < 0) {
            return Optional.empty();
        }
        return Optional.of(new Account(fields[0], uid, gid, fields[5]));
    }

    /** name:password:gid:members; anything else is ignored. */
    private static Optional<Group> parseGroup(String[] fields) {
        if (fields.length != 4 || !validName(fields[0])) {
            return Optional.empty();
        }
        int gid = id(fields[2]);
        return gid < 0 ? Optional.empty() : Optional.of(new Group(fields[0], gid));
    }

    /** NIS compat entries ("+name", "-name") name no local account. */
    private static boolean validName(String name) {
        return !name.isEmpty() && !name.startsWith("+") && !name.startsWith("-");
    }

    /** A uid or gid, or -1 if the field is not one. */
    private static int id(String field) {
        if (field.isEmpty() || field.length() > 10 || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        long value = Long.parseLong(field);
        return value > Integer.MAX_VALUE ? -1 : (int) value;
    }
}
