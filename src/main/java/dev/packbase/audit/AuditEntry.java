package dev.packbase.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * One line of the audit log: when, who (the token's name or {@code anonymous}, from which address, or the
 * operator's user for a command), what was asked, what changed and how it ended. Absent values are left out of
 * the line.
 *
 * @param time      ISO-8601 UTC with milliseconds, when the call ended
 * @param unixTime  the same instant in Unix seconds ({@code GET /api/audit?since=} compares it)
 * @param requestId the HTTP request's id, when the edge gave it one
 * @param token     the token's name, {@code anonymous} without a (valid) one; absent for a command
 * @param remote    the client's address as seen through the trusted proxies; absent for a command
 * @param user      the operating-system user who ran a command; absent for HTTP calls
 * @param outcome   {@code ok}, or the error's code ({@code upstream_failed}, {@code forbidden}, …)
 * @param message   the error's message; absent when ok
 */
public record AuditEntry(
        String time,
        long unixTime,
        String requestId,
        Via via,
        String token,
        String remote,
        String user,
        AuditAction action,
        Asked asked,
        Changed changed,
        String outcome,
        String message) {

    /** What an outcome without an error is called. */
    public static final String OK = "ok";

    /** How the call came in. */
    public enum Via {
        HTTP, CLI;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What the call asked for, as far as it was read before it ended (a malformed body leaves it empty). A ZON
     * manifest is recorded by its SHA-256, not its text.
     */
    public record Asked(String url, String name, @JsonProperty("package") String packageName, String tag,
            String commit, String zonSha256, String file) {
        public static final Asked NOTHING = new Asked(null, null, null, null, null, null, null);

        public static Asked url(String url, String name) {
            return new Asked(url, name, null, null, null, null, null);
        }

        public static Asked version(String packageName, String tag, String commit) {
            return new Asked(null, null, packageName, tag, commit, null, null);
        }

        public static Asked zon(String sha256) {
            return new Asked(null, null, null, null, null, sha256, null);
        }

        public static Asked file(String file) {
            return new Asked(null, null, null, null, null, null, file);
        }
    }

    /**
     * What the call changed: for a fetch the package and the tags (or pinned commits) it created; for a closure
     * the packages held after it ({@code name@hash} or the URL of each {@code ok} node); for an update its counts;
     * for import and reindex the packages written.
     */
    public record Changed(@JsonProperty("package") String packageName, List<String> tagsCreated,
            Integer tarballsCreated, List<String> nodesMirrored, List<String> packages, Integer packagesSynced) {
        public static Changed fetch(String packageName, List<String> tagsCreated, int tarballsCreated) {
            return new Changed(packageName, List.copyOf(tagsCreated), tarballsCreated, null, null, null);
        }

        public static Changed closure(List<String> nodesMirrored) {
            return new Changed(null, null, null, List.copyOf(nodesMirrored), null, null);
        }

        public static Changed update(int packagesSynced, int tarballsCreated) {
            return new Changed(null, null, tarballsCreated, null, null, packagesSynced);
        }

        public static Changed packages(List<String> packages) {
            return new Changed(null, null, null, null, List.copyOf(packages), null);
        }
    }
}
