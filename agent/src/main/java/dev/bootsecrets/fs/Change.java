package dev.bootsecrets.fs;

/** What a write, a removal or a directory check did to the target. */
public enum Change {
    CREATED,
    UPDATED,
    UNCHANGED,
    REMOVED
}
