package dev.bootsecrets.fs;

/** A user of the target root, as its passwd file has it. */
public record Account(String name, int uid, int gid, String home) {}
