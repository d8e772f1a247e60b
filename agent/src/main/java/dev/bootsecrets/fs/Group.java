package dev.bootsecrets.fs;

/** A group of the target root, as its group file has it. */
public record Group(String name, int gid) {}
