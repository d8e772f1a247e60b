package dev.bootsecrets.plan;

/** Owner and group of a planned path, by name (for people) and by number (for chown). */
public record Ownership(String user, int uid, String group, int gid) {
    public static final Ownership ROOT = new Ownership("root", 0, "root", 0);

    @Override
    public String toString() {
        return user + ":" + group;
    }
}
