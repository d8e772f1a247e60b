package dev.bootsecrets.fs;

/**
 * The parts of statx(2) the safe writer looks at. {@code mode} holds type and permission bits;
 * {@code links} is the hard link count.
 */
record FileStat(int uid, int gid, int mode, long size, long inode, int links) {
    static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFSOCK = 0140000;

    boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    boolean isSocket() {
        return (mode & S_IFMT) == S_IFSOCK;
    }

    boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    int permissions() {
        return mode & 07777;
    }

    boolean hasOwnerAndMode(int uid, int gid, int permissions) {
        return this.uid == uid && this.gid == gid && permissions() == permissions;
    }

    /** Users other than its owner (its group, or anyone) may create and rename entries in it. */
    boolean othersCanWrite() {
        return (mode & 022) != 0;
    }

    /** Only root could have changed it: root owns it and neither group nor others may write to it. */
    boolean onlyRootCanWrite() {
        return uid == 0 && (mode & 022) == 0;
    }
}
