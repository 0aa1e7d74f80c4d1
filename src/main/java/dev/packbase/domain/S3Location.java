package dev.packbase.domain;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where the s3 storage backend keeps its objects: {@code s3://<bucket>/<prefix>} ({@code PACKBASE_STORAGE}). Every
 * storage key becomes the object key {@code <prefix>/<key>}, so several registries can share a bucket.
 */
public record S3Location(String bucket, String prefix) {

    public S3Location {
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name (3-63 of a-z 0-9 . -)");
        }
        for (String segment : prefix.split("/", -1)) {
            if (!prefix.isEmpty() && (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || !segment.matches("[A-Za-z0-9._-]+"))) {
                throw new IllegalArgumentException("'" + prefix + "' is not a key prefix (segments of A-Z a-z 0-9 . _ -)");
            }
        }
    }

    /** Whether a {@code PACKBASE_STORAGE} or {@code migrate} location names object storage rather than a directory. */
    public static boolean isS3(String location) {
        return location.startsWith("s3://");
    }

    /** Parses {@code s3://bucket} or {@code s3://bucket/some/prefix} (a trailing '/' is dropped). */
    public static S3Location parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + url + "' is not an s3://<bucket>/<prefix> URL");
        }
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null
                || uri.getUserInfo() != null || uri.getPort() != -1) {
            throw new IllegalArgumentException("'" + url + "' is not an s3://<bucket>/<prefix> URL");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        path = path.replaceAll("^/+", "").replaceAll("/+$", "");
        return new S3Location(uri.getHost(), path);
    }

    /** The object key of a storage key. */
    public String objectKey(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    /** The storage key of an object key under this location's prefix. */
    public String storageKey(String objectKey) {
        return prefix.isEmpty() ? objectKey : objectKey.substring(prefix.length() + 1);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
