package dev.bootsecrets.cli;

/** The documented exit codes of {@code bootsecrets run} (README, "Exit codes"). */
public final class ExitCode {
    /** Every planned output applied (or already up to date). */
    public static final int OK = 0;
    /** An unexpected internal error. */
    public static final int INTERNAL = 1;
    /** A command line that could not be parsed. */
    public static final int USAGE = 2;
    /** Invalid config, user-data or plan, or a secret a secrets manager would not give: nothing was written. */
    public static final int INVALID = 3;
    /** The metadata service was not reachable before the deadline: nothing was written. */
    public static final int UNREACHABLE = 4;
    /** Some outputs failed; the others were applied; each failure is in the log and status. */
    public static final int PARTIAL = 5;
    /**
     * The join failed (denied, service down past the join's deadline, a bad answer, a wrapped
     * secret_id already unwrapped): nothing of this run was written, the outputs of earlier
     * runs are left as they are, and the bootstrap secret is kept for a retry.
     */
    public static final int JOIN_FAILED = 6;

    private ExitCode() {}
}
