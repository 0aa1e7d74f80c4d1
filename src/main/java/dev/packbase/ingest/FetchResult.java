package dev.packbase.ingest;

import java.util.List;

/**
 * What one ingest did, as {@code POST /api/fetch} reports it (CONTRACT §4).
 *
 * @param tag        the latest tag after the ingest (semver order, see PackageRecord.LATEST_ORDER)
 * @param warnings   tags skipped, tags that could not be fetched, and upstream changes noticed
 * @param failedTags tags upstream could not deliver this time, with its reason; the next fetch tries them again
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
        List<FailedTag> failedTags) {
}
