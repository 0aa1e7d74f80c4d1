package dev.packbase.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.storage.AppendOnlyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The audit log of this node: every call that changes state appends one {@link AuditEntry}, as one JSON line,
 * before its answer is sent, so a client that saw the answer can find the line, also after kill -9 (the line is
 * on the disk by then, {@link AppendOnlyFile}). A call is recorded whatever its outcome, refused ones included.
 * On a read-only node nothing can change, and nothing is recorded.
 */
public final class AuditTrail {
    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());

    private final AppendOnlyFile file;
    private final ObjectMapper json;
    private final Clock clock;
    private final boolean writable;

    public AuditTrail(AppendOnlyFile file, ObjectMapper json, Clock clock, boolean writable) {
        this.file = file;
        this.json = json;
        this.clock = clock;
        this.writable = writable;
    }

    /** Opens the log for appending (a writable node's start: a log that cannot be written stops it). */
    public void open() {
        if (!writable) {
            return;
        }
        try {
            if (file.open()) {
                LOG.warning(() -> "audit log " + file.path() + " ended in a torn line (a crash while writing it); "
                        + "it is left as it is and skipped by readers");
            }
            LOG.info(() -> "audit log: " + file.path());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit log " + file.path() + " (PACKBASE_AUDIT_LOG)", e);
        }
    }

    /** A call being made by {@code who}; {@link Call#succeeded} or {@link Call#failed} writes its line. */
    public Call begin(AuditAction action, Who who) {
        return new Call(action, who);
    }

    /**
     * The lines recorded at or after {@code unixSeconds}, as they are in the file; lines that do not parse (a tail
     * torn by a crash) are skipped.
     */
    public void since(long unixSeconds, Consumer<String> visitor) throws IOException {
        file.readLines(line -> {
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (IOException e) {
                LOG.fine(() -> "skipping an unparsable audit line: " + e.getMessage());
                return;
            }
            if (node != null && node.path("unix_time").asLong(-1) >= unixSeconds) {
                visitor.accept(line);
            }
        });
    }

    /**
     * Who is calling: through HTTP with a token name (or {@code anonymous}), an address and maybe a request id, or
     * an operator command run by a user.
     */
    public record Who(AuditEntry.Via via, String token, String remote, String user, String requestId) {
        public static Who http(String token, String remote, String requestId) {
            return new Who(AuditEntry.Via.HTTP, token, remote, null, requestId);
        }

        public static Who command(String user) {
            return new Who(AuditEntry.Via.CLI, null, null, user, null);
        }
    }

    /** One call in progress: what was asked, and who, are filled in as the handler learns them. */
    public final class Call {
        private final AuditAction action;
        private Who who;
        private AuditEntry.Asked asked = AuditEntry.Asked.NOTHING;
        private boolean recorded;

        private Call(AuditAction action, Who who) {
            this.action = action;
            this.who = who;
        }

        /** The caller turned out to hold the token named {@code name}. */
        public Call token(String name) {
            who = new Who(who.via(), name, who.remote(), who.user(), who.requestId());
            return this;
        }

        public Call asked(AuditEntry.Asked what) {
            asked = what;
            return this;
        }

        /** Records the call as done; the line is on the disk when this returns. */
        public void succeeded(AuditEntry.Changed changed) {
            write(changed, AuditEntry.OK, null);
        }

        /**
         * Records the call as failed with {@code code}; a line that cannot be written is logged, so the call's own
         * failure is still what the client gets.
         */
        public void failed(String code, String message) {
            try {
                write(null, code, message);
            } catch (UncheckedIOException e) {
                LOG.log(Level.SEVERE, "cannot write the audit line of a failed " + action.json() + " call", e);
            }
        }

        private void write(AuditEntry.Changed changed, String outcome, String message) {
            if (!writable || recorded) {
                return;
            }
            recorded = true;
            Instant now = clock.instant();
            AuditEntry entry = new AuditEntry(DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.MILLIS)),
                    now.getEpochSecond(), who.requestId(), who.via(), who.token(), who.remote(), who.user(), action,
                    asked, changed, outcome, message);
            try {
                file.append(json.writeValueAsBytes(entry));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the audit log " + file.path(), e);
            }
        }
    }
}
