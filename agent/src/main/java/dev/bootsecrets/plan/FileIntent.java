package dev.bootsecrets.plan;

import java.util.List;

/**
 * One file the run will write: where, what, whose, which mode, and where it came from.
 *
 * @param path   absolute path inside the target root
 * @param kind   the output kind (ssh, file, ...), for people reading the plan and the status
 * @param source the declaration it came from ({@code user-data:write_files[0]}), never a value
 * @param dirs   directories to make sure of first, outermost first
 */
public record FileIntent(
        String path, String kind, Content content, Ownership owner, int mode, String source, List<DirIntent> dirs) {

    public FileIntent {
        dirs = List.copyOf(dirs);
    }

    /**
     * A directory a file needs.
     *
     * @param enforce true: owner and mode are set even when it exists (~/.ssh); false: only a
     *                missing directory is created with them (a home directory the system owns)
     */
    public record DirIntent(String path, Ownership owner, int mode, boolean enforce) {}
}
