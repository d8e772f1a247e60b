package dev.bootsecrets.config;

/** The merged configuration of one run: how to run, and what to write. */
public record Config(Settings settings, Declarations declarations) {}
