package dev.packbase.ingest;

import dev.packbase.domain.RefKind;
import java.util.List;

/**
 * What one ingest did, as {@code POST /api/fetch} reports it (CONTRACT §4).
 *
 * @param tag        the latest tag after the ingest (semver order, see PackageRecord.LATEST_ORDER); null
 *                   when the package holds pinned commits only
 * @param warnings   tags skipped, tags that could not be fetched, and upstream changes noticed
 * @param failedTags tags upstream could not deliver this time, with its reason; the next fetch tries them again
 * @param pinned     what the URL's fragment asked for, when it had one (then it landed); null otherwise
 */
public record FetchResult(
        String packageName,
        String upstreamUrl,
        String tag,
        int tarballsCreated,
        int tarballsPresent,
        int tarballCount,
        List<String> created,
        List<String> warnings,
        List<FailedTag> failedTags,
        Pinned pinned) {

    /** The tag or commit a pinned fetch asked for (a tag named by its commit is reported as that commit's first tag). */
    public record Pinned(RefKind kind, String name) {
    }
}
