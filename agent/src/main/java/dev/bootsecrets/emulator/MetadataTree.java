package dev.bootsecrets.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Metadata as a tree of paths, the shape the clouds share: a leaf holds a value, and a path
 * with leaves below it answers a listing of its children, one a line, subdirectories with a
 * trailing slash. A leaf may also sit on a directory's own path to replace that listing.
 */
final class MetadataTree {
    private final TreeMap<String, byte[]> leaves = new TreeMap<>();

    MetadataTree put(String path, byte[] value) {
        leaves.put(trim(path), value.clone());
        return this;
    }

    MetadataTree put(String path, String value) {
        return put(path, value.getBytes(StandardCharsets.UTF_8));
    }

    Optional<byte[]> get(String path) {
        String key = trim(path);
        byte[] leaf = leaves.get(key);
        if (leaf != null) {
            return Optional.of(leaf.clone());
        }
        String prefix = key.isEmpty() ? "" : key + "/";
        Map<String, Boolean> children = new TreeMap<>(); // name -> is a directory
        for (String below : leaves.tailMap(prefix, true).keySet()) {
            if (!below.startsWith(prefix)) {
                break;
            }
            String rest = below.substring(prefix.length());
            int slash = rest.indexOf('/');
            children.merge(slash < 0 ? rest : rest.substring(0, slash), slash >= 0, Boolean::logicalOr);
        }
        if (children.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder listing = new StringBuilder();
        children.forEach((name, dir) -> listing.append(listing.isEmpty() ? "" : "\n").append(name).append(dir ? "/" : ""));
        return Optional.of(listing.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String trim(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }
}
