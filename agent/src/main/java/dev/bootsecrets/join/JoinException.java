package dev.bootsecrets.join;

import dev.bootsecrets.secret.Redaction;

/**
 * The join failed: nothing of it is written, and the bootstrap secret stays for a retry. The
 * message names the service, the request and a reason; text a server sent back passes the
 * redaction net first, as a server might echo what it was sent.
 */
public final class JoinException extends Exception {
    public JoinException(String message) {
        super(Redaction.scrub(message));
    }

    public JoinException(String message, Throwable cause) {
        super(Redaction.scrub(message), cause);
    }
}
