package dev.packbase.ingest;

/**
 * A tag that upstream could not deliver in this ingest (its pack could not be produced or sent),
 * with upstream's reason, cleaned. Unlike a skipped tag it is not remembered as done: the next fetch
 * tries it again.
 */
public record FailedTag(String tag, String reason) {
}
