package dev.bootsecrets.config;

import java.util.List;

/**
 * Invalid config or user-data. Each error names the exact field
 * ({@code write_files[2].permissions: not an octal mode}) and never holds a value.
 */
public final class ConfigException extends Exception {
    private final List<String> errors;

    public ConfigException(List<String> errors) {
        super(String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    public ConfigException(String error) {
        this(List.of(error));
    }

    public List<String> errors() {
        return errors;
    }
}
