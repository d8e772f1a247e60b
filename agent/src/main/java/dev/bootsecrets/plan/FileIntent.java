package dev.bootsecrets.plan;

import dev.bootsecrets.secret.Redaction;
import java.util.List;

/**
 * One file the run will write (or remove): where, what, whose, which mode, and where it came from.
 *
 * @param path     absolute path inside the target root
 * @param kind     the output kind (ssh, file, ...), for people reading the plan and the status
 * @param source   the declaration it came from ({@code user-data:write_files[0]}), never a value
 * @param dirs     directories to make sure of first, outermost first
 * @param requires paths of earlier intents this one is useless without (the host key of an
 *                 encrypted credential): when one of them failed, this one is not written
 */
public record FileIntent(
        String path, String kind, Content content, Ownership owner, int mode, String source, List<DirIntent> dirs,
        List<String> requires) {

    public FileIntent {
        // What the plan shows of an output is the agent's own naming: readable in every listing.
        Redaction.name(path);
        Redaction.name(source);
        Redaction.name(owner.user());
        Redaction.name(owner.group());
        dirs = List.copyOf(dirs);
        requires = List.copyOf(requires);
    }

    public FileIntent(String path, String kind, Content content, Ownership owner, int mode, String source, List<DirIntent> dirs) {
        this(path, kind, content, owner, mode, source, dirs, List.of());
    }

    /** Removes {@code path}, which bootsecrets made as a {@code kind} output that is no longer declared. */
    public static FileIntent removal(String path, String kind) {
        return new FileIntent(path, kind, new Content.Absent(), Ownership.ROOT, 0, NO_LONGER_DECLARED, List.of());
    }

    /** The source of a removal, or of an update that takes bootsecrets' own lines out of a file. */
    public static final String NO_LONGER_DECLARED = "no longer declared";

    /**
     * A directory a file needs. An existing one must already belong to {@code owner}: the
     * writer never chowns another user's directory, nor writes into it for someone else.
     *
     * @param enforce true: group and mode are set even when it exists (~/.ssh); false: only a
     *                missing directory is created with them (a home directory the system owns)
     */
    public record DirIntent(String path, Ownership owner, int mode, boolean enforce) {}
}
