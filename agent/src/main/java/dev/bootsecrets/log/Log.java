package dev.bootsecrets.log;

import dev.bootsecrets.secret.Redaction;
import java.io.PrintStream;
import java.util.regex.Pattern;

/**
 * The agent's log: one line per event on stderr, with the {@code <N>} syslog priority
 * prefix that journald reads from a service's stderr. Quiet by default (warnings and
 * errors); {@code --verbose} adds info and debug. Every line passes the redaction net.
 */
public final class Log {
    public enum Level {
        ERROR(3), WARNING(4), NOTICE(5), INFO(6), DEBUG(7);

        final int priority;

        Level(int priority) {
            this.priority = priority;
        }
    }

    /** Control characters (C0, DEL, C1) and Unicode's line and paragraph separators. */
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\u2028\\u2029]");

    private static volatile PrintStream out = System.err;
    private static volatile Level threshold = Level.NOTICE;

    private Log() {}

    public static void configure(PrintStream stream, boolean verbose) {
        out = stream;
        threshold = verbose ? Level.DEBUG : Level.NOTICE;
    }

    public static boolean verbose() {
        return threshold == Level.DEBUG;
    }

    public static void error(String message) {
        emit(Level.ERROR, message);
    }

    public static void warn(String message) {
        emit(Level.WARNING, message);
    }

    /** Shown without --verbose: what an operator should see once per run. */
    public static void notice(String message) {
        emit(Level.NOTICE, message);
    }

    public static void info(String message) {
        emit(Level.INFO, message);
    }

    public static void debug(String message) {
        emit(Level.DEBUG, message);
    }

    private static void emit(Level level, String message) {
        if (level.priority > threshold.priority) {
            return;
        }
        out.println("<" + level.priority + ">" + oneLine(message));
    }

    /**
     * {@code text} through the redaction net, as one line of plain text: a line break inside a
     * message would read as a second event, and a terminal's escape sequence (from a key name of
     * user-data, say) would act on whoever reads the log. Each such character becomes a space.
     */
    public static String oneLine(String text) {
        return CONTROL.matcher(Redaction.scrub(text)).replaceAll(" ");
    }
}
