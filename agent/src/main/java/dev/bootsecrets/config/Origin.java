package dev.bootsecrets.config;

/**
 * Where a declaration came from: the layer (a config file's path, or {@code user-data}) and
 * the field inside it ({@code write_files[2]}, {@code files./etc/motd}). Shown as the
 * "source" of every planned output and used to apply the image's user-data policy.
 */
public record Origin(String layer, String field, boolean fromUserData) {

    public static final String USER_DATA = "user-data";

    public static Origin userData(String field) {
        return new Origin(USER_DATA, field, true);
    }

    public static Origin file(String layer, String field) {
        return new Origin(layer, field, false);
    }

    @Override
    public String toString() {
        return layer + ":" + field;
    }
}
