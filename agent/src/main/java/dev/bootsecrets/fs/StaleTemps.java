package dev.bootsecrets.fs;

import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The safe writer's temporary files ({@code .NAME.bootsecrets-XXXXXXXXXXXXXXXX}): how they
 * are named, and the sweep that removes those a killed run left behind. Only regular files of
 * exactly that name are removed, each by name in a directory opened the way writes open it,
 * never through a symlink; the caller holds the run lock, so no other run's file is live.
 */
public final class StaleTemps {
    private static final String MARK = ".bootsecrets-";
    private static final Pattern NAME = Pattern.compile("\\..*" + Pattern.quote(MARK) + "[0-9a-f]{16}", Pattern.DOTALL);

    private StaleTemps() {}

    /** A hidden name beside {@code name}, unique enough that O_EXCL rarely has to retry. */
    static String name(String name) {
        String stem = name.getBytes(StandardCharsets.UTF_8).length <= 200 ? name : "";
        return "." + stem + MARK + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    static boolean isTemp(String name) {
        return NAME.matcher(name).matches();
    }

    /**
     * Removes the stale temporary files in {@code directories} (absolute paths under the root;
     * missing ones are skipped) and returns their paths. A directory that cannot be opened or
     * listed (a planted link on the way) is logged and skipped: the writes there will say more.
     */
    public static List<String> sweep(TargetRoot root, Collection<String> directories) {
        List<String> removed = new ArrayList<>();
        for (String dir : new TreeSet<>(directories)) {
            try {
                sweep(root, dir, removed);
            } catch (IOException e) {
                Log.warn("stale temporary files not looked for in " + dir + ": " + e.getMessage());
            }
        }
        return removed;
    }

    private static void sweep(TargetRoot root, String dir, List<String> removed) throws IOException {
        int fd = root.openDirectory(dir);
        if (fd < 0) {
            return;
        }
        try {
            for (String name : temps(fd, dir)) {
                String path = dir + "/" + name;
                FileStat stat = Libc.lstatAt(fd, name, path);
                if (stat != null && stat.isRegularFile()) {
                    Libc.unlinkat(fd, name, path);
                    removed.add(path);
                }
            }
        } finally {
            Libc.close(fd);
        }
    }

    /** The names in the open directory {@code fd} (listed through /proc, so the descriptor, not a path, decides). */
    private static List<String> temps(int fd, String dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd/" + fd))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (isTemp(name)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new IOException(dir + ": cannot list it for stale temporary files", e);
        }
        return names;
    }
}
