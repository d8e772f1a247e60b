package dev.bootsecrets.plan;

import dev.bootsecrets.fs.Place;
import dev.bootsecrets.secret.Redaction;
import java.util.List;

/**
 * One file the run will write (or remove): where, what, whose, which mode, and where it came from.
 *
 * @param place        where: as declared until the plan places it, then also where it really is
 *                     in the target root, which is all the writer reaches
 * @param kind         the output kind (ssh, file, ...), for people reading the plan and the status
 * @param source       the declaration it came from ({@code user-data:write_files[0]}), never a value
 * @param fromUserData whether user-data (or metadata) declared it: then the image's policy
 *                     judges the place it really lands on (see output/Placement)
 * @param dirs         directories to make sure of first, outermost first
 * @param requires     paths of earlier intents this one is useless without (the host key of an
 *                     encrypted credential): when one of them failed, this one is not written
 */
public record FileIntent(
        Place place, String kind, Content content, Ownership owner, int mode, String source, boolean fromUserData,
        List<DirIntent> dirs, List<String> requires) {

    public FileIntent {
        dirs = List.copyOf(dirs);
        requires = List.copyOf(requires);
    }

    /** An intent for {@code path} as declared; the plan resolves where it really is. */
    public FileIntent(String path, String kind, Content content, Ownership owner, int mode, String source,
            boolean fromUserData, List<DirIntent> dirs, List<String> requires) {
        this(new Place(path, path), kind, content, owner, mode, source, fromUserData, dirs, requires);
        // What the plan shows of an output is the agent's own naming: readable in every listing.
        // Registered once here, where an intent is first made; its copies (at) add only a new place.
        Redaction.name(path);
        Redaction.name(source);
        Redaction.name(owner.user());
        Redaction.name(owner.group());
    }

    public FileIntent(String path, String kind, Content content, Ownership owner, int mode, String source,
            boolean fromUserData, List<DirIntent> dirs) {
        this(path, kind, content, owner, mode, source, fromUserData, dirs, List.of());
    }

    /** Where the file really is (once placed): what the manifest, the status and the writer use. */
    public String path() {
        return place.real();
    }

    /** This intent at {@code where}, its directories at theirs and what it requires by their real paths. */
    public FileIntent at(Place where, List<DirIntent> realDirs, List<String> realRequires) {
        if (!where.equals(place)) {
            Redaction.name(where.real());
        }
        return new FileIntent(where, kind, content, owner, mode, source, fromUserData, realDirs, realRequires);
    }

    /** Removes {@code path}, which bootsecrets made as a {@code kind} output that is no longer declared. */
    public static FileIntent removal(String path, String kind) {
        return new FileIntent(path, kind, new Content.Absent(), Ownership.ROOT, 0, NO_LONGER_DECLARED, false, List.of());
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
    public record DirIntent(String path, Ownership owner, int mode, boolean enforce) {
        public DirIntent at(String real) {
            return new DirIntent(real, owner, mode, enforce);
        }
    }
}
