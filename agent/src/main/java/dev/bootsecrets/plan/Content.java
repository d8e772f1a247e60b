package dev.bootsecrets.plan;

import dev.bootsecrets.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a planned file will hold. Some outputs own the whole file; others share it with the
 * user (an authorized_keys block, an appended line), so the final bytes depend on what is
 * there now and are rendered at apply time, under the run lock.
 */
public sealed interface Content {

    /** The final bytes, given the file's current bytes (empty when it does not exist). */
    byte[] render(Optional<byte[]> existing);

    /** Whether rendering needs the current bytes, so the writer reads them first. */
    default boolean readsExisting() {
        return true;
    }

    /** Whether the file is to be removed rather than written ({@link Absent}). */
    default boolean removes() {
        return false;
    }

    /** The file holds exactly this. */
    record Whole(Secret bytes) implements Content {
        @Override
        public byte[] render(Optional<byte[]> existing) {
            return bytes.bytes();
        }

        @Override
        public boolean readsExisting() {
            return false;
        }
    }

    /**
     * The file ends with these bytes, added once: a second run finds them already there and
     * changes nothing (cloud-init appends on every run; an agent that runs every boot must not).
     */
    record Append(Secret bytes) implements Content {
        @Override
        public byte[] render(Optional<byte[]> existing) {
            byte[] current = existing.orElse(new byte[0]);
            byte[] tail = bytes.bytes();
            if (endsWith(current, tail)) {
                Secret.wipe(tail);
                return current.clone();
            }
            byte[] out = Arrays.copyOf(current, current.length + tail.length);
            System.arraycopy(tail, 0, out, current.length, tail.length);
            Secret.wipe(tail);
            return out;
        }

        private static boolean endsWith(byte[] data, byte[] tail) {
            if (tail.length > data.length) {
                return false;
            }
            return Arrays.equals(data, data.length - tail.length, data.length, tail, 0, tail.length);
        }
    }

    /**
     * A block of lines the agent owns inside a file others edit too (authorized_keys). Lines
     * outside the markers are kept as they are; the block is replaced in place, added at the
     * end when missing, and removed when it has no lines.
     */
    record Block(String lines) implements Content {
        public static final String BEGIN = "# BEGIN bootsecrets: lines up to END are replaced at every boot";
        public static final String END = "# END bootsecrets";

        /**
         * @throws IllegalStateException when the file has a BEGIN marker without its END: which
         *         lines are ours is then unknown, and guessing would drop the user's lines or
         *         keep revoked keys
         */
        @Override
        public byte[] render(Optional<byte[]> existing) {
            String current = existing.map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
            List<String> kept = new ArrayList<>();
            int blockAt = -1;
            boolean inside = false;
            for (String line : current.split("\n", -1)) {
                if (!inside && line.equals(BEGIN)) {
                    inside = true;
                    if (blockAt < 0) {
                        blockAt = kept.size();
                    }
                } else if (inside) {
                    inside = !line.equals(END);
                } else {
                    kept.add(line);
                }
            }
            if (inside) {
                throw new IllegalStateException("has a bootsecrets BEGIN marker without END; fix the file by hand");
            }
            // split() leaves an empty last piece for the final newline; it is not a line.
            if (!kept.isEmpty() && kept.get(kept.size() - 1).isEmpty()) {
                kept.remove(kept.size() - 1);
            }
            List<String> out = new ArrayList<>(kept);
            if (!lines.isBlank()) {
                List<String> block = new ArrayList<>();
                block.add(BEGIN);
                block.addAll(lines.strip().lines().toList());
                block.add(END);
                out.addAll(blockAt < 0 ? out.size() : blockAt, block);
            }
            StringBuilder text = new StringBuilder();
            for (String line : out) {
                text.append(line).append('\n');
            }
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Bytes an output makes from the file's current bytes because it understands the format:
     * a containers-auth.json whose other entries are kept, an encrypted credential that is kept
     * while it still holds the value (encryption is randomized, so re-encrypting would rewrite
     * it at every run).
     */
    record Merged(Merger merger) implements Content {
        @Override
        public byte[] render(Optional<byte[]> existing) {
            return merger.merge(existing);
        }
    }

    /** Makes a file's bytes from its current ones. */
    @FunctionalInterface
    interface Merger {
        /**
         * @throws IllegalStateException when the current bytes cannot be merged into (a malformed
         *         file is left as it is); the message names why, never a value
         */
        byte[] merge(Optional<byte[]> existing);
    }

    /** The file is removed: bootsecrets made it, and it is no longer declared. */
    record Absent() implements Content {
        @Override
        public byte[] render(Optional<byte[]> existing) {
            throw new UnsupportedOperationException("a removal has no content");
        }

        @Override
        public boolean readsExisting() {
            return false;
        }

        @Override
        public boolean removes() {
            return true;
        }
    }
}
