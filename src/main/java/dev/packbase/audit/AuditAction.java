package dev.packbase.audit;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The calls that change state, each one line in the audit log: the API's and the operator commands'. */
public enum AuditAction {
    /** {@code POST /api/fetch}: tags of one upstream mirrored. */
    FETCH,
    /** {@code POST /api/closure}: a dependency tree mirrored. */
    CLOSURE,
    /** {@code POST /api/bundle}: a dependency tree mirrored, answered as a bundle. */
    BUNDLE,
    /** {@code POST /api/update}: the source catalog synced and its packages and fixtures materialised. */
    UPDATE,
    /** {@code java -jar packbase.war import}: versions from an export file written. */
    IMPORT,
    /** {@code java -jar packbase.war reindex}: records, derived Git data and the snapshot rebuilt. */
    REINDEX;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
