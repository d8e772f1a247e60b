package dev.bootsecrets.fs;

/**
 * A place in the target root: a path as it was declared, and where it really is, resolved
 * through exactly the symlinks the writer follows ({@link TargetRoot#place}). Every policy
 * decision is made on {@link #real}; the writer reaches it again without following any link,
 * so a link that appears after the decision cannot move the write elsewhere.
 */
public record Place(String spelled, String real) {
    /** A place known to be real already (read from a manifest the agent wrote, or a resolved directory). */
    public static Place exact(String real) {
        return new Place(real, real);
    }

    /** Whether the declared spelling reaches somewhere else than it says. */
    public boolean moved() {
        return !spelled.equals(real);
    }

    /** {@code real}, or {@code spelled -> real} when they differ: for messages and listings. */
    @Override
    public String toString() {
        return moved() ? spelled + " (resolves to " + real + ")" : real;
    }
}
