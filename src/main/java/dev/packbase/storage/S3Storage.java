package dev.packbase.storage;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.S3Location;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link Storage} on a bucket of an S3-compatible engine. Every write is first produced into a local file
 * (the SDK needs the length, and a writer that fails must leave nothing), then sent in one request:
 * {@code PutObject}, or a multipart upload above {@link #MULTIPART_THRESHOLD}, completed in one step, so an
 * object is visible whole or not at all. Immutability is the engine's conditional writes: create-if-absent is
 * {@code If-None-Match: *} (on the completing request of a multipart upload too), optimistic replaces are
 * {@code If-Match: <ETag>}; a {@code 412} means another writer won. {@link #open} checks at startup that the
 * engine really refuses those writes, since some engines silently ignore the headers.
 *
 * <p>Reads of an object's bytes ({@link #read}) go through a bounded local {@link ObjectCache}; streams
 * ({@link #open}) and listings go to the engine. An engine that cannot be reached, is too slow or answers 5xx
 * raises {@link StorageUnavailableException}.
 */
public final class S3Storage implements Storage {
    private static final Logger LOG = Logger.getLogger(S3Storage.class.getName());
    /** Objects above this size go up as multipart uploads (a single PUT tops out at 5 GiB, and a retry resends it all). */
    static final long MULTIPART_THRESHOLD = 16L << 20;
    static final long PART_SIZE = 8L << 20;
    /** Incomplete uploads older than this are a crashed writer's, removed when a writable node starts. */
    static final Duration ABANDONED_UPLOAD_AGE = Duration.ofHours(1);
    /** Reads of an object that keeps being replaced between its HEAD and its GET before giving up. */
    private static final int READ_ATTEMPTS = 5;

    private final S3Client s3;
    private final software.amazon.awssdk.services.s3.presigner.S3Presigner presigner;
    private final S3Location location;
    private final String endpoint;
    private final Path tmp;
    private final ObjectCache cache;
    private final boolean writable;
    private final long multipartThreshold;
    private volatile boolean conditionalWrites = true;

    S3Storage(S3Client s3, S3Location location, String endpoint, Path localDir, long cacheBytes, boolean writable,
            long multipartThreshold) throws IOException {
        this(s3, null, location, endpoint, localDir, cacheBytes, writable, multipartThreshold);
    }

    S3Storage(S3Client s3, software.amazon.awssdk.services.s3.presigner.S3Presigner presigner, S3Location location,
            String endpoint, Path localDir, long cacheBytes, boolean writable, long multipartThreshold) throws IOException {
        this.s3 = s3;
        this.presigner = presigner;
        this.location = location;
        this.endpoint = endpoint;
        this.tmp = localDir.resolve("uploads");
        this.cache = new ObjectCache(localDir.resolve("objects"), cacheBytes);
        this.writable = writable;
        this.multipartThreshold = multipartThreshold;
        Files.createDirectories(tmp);
    }

    /**
     * Opens the bucket. A writable node first checks that the engine honours conditional writes (a second
     * create of one key must fail with 412, a replace with a wrong ETag too); if it does not, it starts only
     * when {@code allowUnconditionalWrites} accepts the weaker guarantee, and then checks before it writes.
     */
    public static S3Storage open(S3Client s3, S3Location location, String endpoint, Path localDir, long cacheBytes,
            boolean readOnly, boolean allowUnconditionalWrites) {
        return open(s3, null, location, endpoint, localDir, cacheBytes, readOnly, allowUnconditionalWrites);
    }

    /** {@link #open}, with a presigner for {@link #presignedGet} (null: none). */
    public static S3Storage open(S3Client s3, software.amazon.awssdk.services.s3.presigner.S3Presigner presigner,
            S3Location location, String endpoint, Path localDir, long cacheBytes, boolean readOnly,
            boolean allowUnconditionalWrites) {
        try {
            S3Storage storage = new S3Storage(s3, presigner, location, endpoint, localDir, cacheBytes, !readOnly,
                    MULTIPART_THRESHOLD);
            storage.names(""); // the bucket exists and the credentials may list it
            if (!readOnly) {
                if (!storage.probeConditionalWrites()) {
                    if (!allowUnconditionalWrites) {
                        throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "the engine at " + endpoint
                                + " ignores conditional writes (If-None-Match/If-Match): packbase cannot keep tarballs "
                                + "immutable on it; set PACKBASE_S3_ALLOW_UNCONDITIONAL_WRITES=true to run with one "
                                + "writing node at a time, or PACKBASE_READ_ONLY=true");
                    }
                    LOG.warning(() -> "the engine at " + endpoint + " ignores conditional writes; writes check "
                            + "before they write (PACKBASE_S3_ALLOW_UNCONDITIONAL_WRITES)");
                    storage.conditionalWrites = false;
                }
                storage.abortUploadsOlderThan(ABANDONED_UPLOAD_AGE);
            }
            return storage;
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot open " + location + " at " + endpoint + ": "
                    + e.getMessage(), e);
        }
    }

    /** Whether a second create of one key and a replace with a wrong ETag are both refused. */
    boolean probeConditionalWrites() throws IOException {
        String key = StorageKeys.STATE_DIR + "probe/" + UUID.randomUUID();
        try {
            // replaceIf(null) is the bare If-None-Match PUT (createIfAbsent asks with a HEAD first).
            boolean first = replaceIf(key, null, out -> out.write('1'));
            boolean second = replaceIf(key, null, out -> out.write('2'));
            boolean stale = replaceIf(key, "\"0123456789abcdef0123456789abcdef\"", out -> out.write('3'));
            return first && !second && !stale;
        } finally {
            delete(key);
        }
    }

    @Override
    public boolean createIfAbsent(String key, ContentWriter writer) throws IOException {
        requireWritable();
        String object = objectKey(key);
        if (head(object).isPresent()) {
            return false; // the usual case for an ingest that adopts what exists: nothing is produced or sent
        }
        return upload(object, writer, Condition.ABSENT, null);
    }

    @Override
    public void replace(String key, ContentWriter writer) throws IOException {
        requireWritable();
        upload(objectKey(key), writer, Condition.NONE, null);
    }

    @Override
    public boolean replaceIf(String key, String version, ContentWriter writer) throws IOException {
        requireWritable();
        return upload(objectKey(key), writer, version == null ? Condition.ABSENT : Condition.MATCH, version);
    }

    private enum Condition { NONE, ABSENT, MATCH }

    /** Writes the content to a local file, then sends it under the condition; false when the condition failed. */
    private boolean upload(String object, ContentWriter writer, Condition condition, String etag) throws IOException {
        Path file = tmp.resolve("put-" + UUID.randomUUID() + ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW),
                    1 << 16)) {
                writer.writeTo(new NonClosingOutputStream(out));
            }
            if (!conditionalWrites && !emulatedConditionHolds(object, condition, etag)) {
                return false;
            }
            long size = Files.size(file);
            return size > multipartThreshold ? multipart(object, file, size, condition, etag)
                    : put(object, file, condition, etag);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Without the engine's conditional writes: check, then write (a race between two nodes can still overwrite). */
    private boolean emulatedConditionHolds(String object, Condition condition, String etag) throws IOException {
        Optional<HeadObjectResponse> head = head(object);
        return switch (condition) {
            case NONE -> true;
            case ABSENT -> head.isEmpty();
            case MATCH -> head.isPresent() && head.get().eTag().equals(etag);
        };
    }

    private boolean put(String object, Path file, Condition condition, String etag) throws IOException {
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(location.bucket()).key(object);
        if (conditionalWrites) {
            if (condition == Condition.ABSENT) {
                put.ifNoneMatch("*");
            } else if (condition == Condition.MATCH) {
                put.ifMatch(etag);
            }
        }
        try {
            call("put " + object, () -> s3.putObject(put.build(), RequestBody.fromFile(file)));
            return true;
        } catch (ConditionFailed e) {
            return false;
        }
    }

    /**
     * Parts of {@link #PART_SIZE}, completed with the condition; any failure aborts the upload, so no part
     * stays behind (a crash mid-upload leaves one, which {@link #abortUploadsOlderThan} removes later).
     */
    private boolean multipart(String object, Path file, long size, Condition condition, String etag)
            throws IOException {
        if (condition == Condition.MATCH) {
            // Multipart completion takes If-None-Match only; state objects are small and never come here.
            throw new IOException("conditional replace of a " + size + "-byte object " + object + " is not supported");
        }
        String uploadId = call("start upload " + object, () -> s3.createMultipartUpload(
                b -> b.bucket(location.bucket()).key(object))).uploadId();
        boolean completed = false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0, part = 1; offset < size; offset += PART_SIZE, part++) {
                long length = Math.min(PART_SIZE, size - offset);
                int number = (int) part;
                InputStream body = java.nio.channels.Channels.newInputStream(channel.position(offset));
                String partTag = call("upload part " + number + " of " + object, () -> s3.uploadPart(
                        b -> b.bucket(location.bucket()).key(object).uploadId(uploadId).partNumber(number),
                        RequestBody.fromInputStream(body, length))).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(partTag).build());
            }
            try {
                call("complete upload " + object, () -> s3.completeMultipartUpload(b -> {
                    b.bucket(location.bucket()).key(object).uploadId(uploadId)
                            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build());
                    if (conditionalWrites && condition == Condition.ABSENT) {
                        b.ifNoneMatch("*");
                    }
                }));
                completed = true;
                return true;
            } catch (ConditionFailed e) {
                return false;
            }
        } finally {
            if (!completed) {
                abort(object, uploadId);
            }
        }
    }

    private void abort(String object, String uploadId) {
        try {
            call("abort upload " + object, () -> s3.abortMultipartUpload(
                    b -> b.bucket(location.bucket()).key(object).uploadId(uploadId)));
        } catch (IOException e) {
            LOG.warning(() -> "cannot abort the upload of " + object + " (removed at a later start): " + e.getMessage());
        }
    }

    /** Aborts the incomplete multipart uploads under this location started more than {@code age} ago. */
    int abortUploadsOlderThan(Duration age) throws IOException {
        Instant before = Instant.now().minus(age);
        List<MultipartUpload> stale = new ArrayList<>();
        String keyMarker = null;
        String idMarker = null;
        while (true) {
            String k = keyMarker;
            String i = idMarker;
            var page = call("list uploads", () -> s3.listMultipartUploads(b -> b.bucket(location.bucket())
                    .prefix(location.objectKey("")).keyMarker(k).uploadIdMarker(i)));
            page.uploads().stream().filter(u -> u.initiated() == null || u.initiated().isBefore(before)).forEach(stale::add);
            if (!Boolean.TRUE.equals(page.isTruncated())) {
                break;
            }
            keyMarker = page.nextKeyMarker();
            idMarker = page.nextUploadIdMarker();
        }
        for (MultipartUpload u : stale) {
            abort(u.key(), u.uploadId());
        }
        if (!stale.isEmpty()) {
            LOG.info(() -> "aborted " + stale.size() + " abandoned multipart upload(s) under " + location);
        }
        return stale.size();
    }

    @Override
    public Optional<Versioned> readVersioned(String key) throws IOException {
        String object = objectKey(key);
        try {
            var response = call("get " + object, () -> s3.getObjectAsBytes(b -> b.bucket(location.bucket()).key(object)));
            return Optional.of(new Versioned(response.asByteArray(), response.response().eTag()));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        return head(objectKey(key)).map(h -> new ObjectInfo(key, h.contentLength(), h.lastModified().toEpochMilli()));
    }

    private Optional<HeadObjectResponse> head(String object) throws IOException {
        try {
            return Optional.of(call("head " + object, () -> s3.headObject(b -> b.bucket(location.bucket()).key(object))));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    /**
     * One HEAD, then the bytes from the local cache, fetched into it on a miss. The copy is the version the
     * HEAD saw ({@code If-Match} on its ETag), so size, time and bytes of one handle always agree.
     */
    @Override
    public Optional<StoredObject> read(String key) throws IOException {
        String object = objectKey(key);
        for (int attempt = 1; ; attempt++) {
            Optional<HeadObjectResponse> head = head(object);
            if (head.isEmpty()) {
                return Optional.empty();
            }
            HeadObjectResponse h = head.get();
            try {
                FileChannel channel = cache.open(object, h.eTag(), h.contentLength(), () -> call("get " + object,
                        () -> s3.getObject(b -> b.bucket(location.bucket()).key(object).ifMatch(h.eTag()))));
                return Optional.of(new ChannelObject(key, channel, h.contentLength(), h.lastModified().toEpochMilli()));
            } catch (NotFound e) {
                return Optional.empty(); // deleted since the HEAD: as if read a moment later
            } catch (ConditionFailed e) {
                // Replaced since the HEAD (a state object another write just changed): read the new one.
                if (attempt == READ_ATTEMPTS) {
                    throw new IOException(key + " changed under " + READ_ATTEMPTS + " reads in a row", e);
                }
            }
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        String object = objectKey(key);
        try {
            return call("get " + object, () -> s3.getObject(b -> b.bucket(location.bucket()).key(object)));
        } catch (NotFound e) {
            throw new NoSuchFileException(key);
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        requirePrefix(prefix);
        List<String> keys = new ArrayList<>();
        listing(prefix, null, page -> page.contents().forEach(o -> keys.add(location.storageKey(o.key()))));
        keys.sort(null);
        return keys;
    }

    @Override
    public List<String> names(String prefix) throws IOException {
        if (!prefix.isEmpty()) {
            requirePrefix(prefix);
        }
        String full = location.objectKey(prefix);
        TreeSet<String> names = new TreeSet<>();
        listing(prefix, "/", page -> {
            for (S3Object o : page.contents()) {
                names.add(o.key().substring(full.length()));
            }
            for (CommonPrefix p : page.commonPrefixes()) {
                String name = p.prefix().substring(full.length());
                names.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
            }
        });
        return List.copyOf(names);
    }

    private void listing(String prefix, String delimiter, java.util.function.Consumer<ListObjectsV2Response> pages)
            throws IOException {
        String full = location.objectKey(prefix);
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = call("list " + full, () -> s3.listObjectsV2(ListObjectsV2Request.builder()
                    .bucket(location.bucket()).prefix(full).delimiter(delimiter).continuationToken(t).build()));
            pages.accept(page);
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
    }

    @Override
    public boolean delete(String key) throws IOException {
        requireWritable();
        String object = objectKey(key);
        if (head(object).isEmpty()) {
            return false;
        }
        call("delete " + object, () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(object)));
        return true;
    }

    /** Signing is local (no request to the engine); whether the object exists is the caller's to know. */
    @Override
    public Optional<java.net.URI> presignedGet(String key, Duration validFor) throws IOException {
        if (presigner == null) {
            return Optional.empty();
        }
        String object = objectKey(key);
        try {
            return Optional.of(presigner.presignGetObject(b -> b.signatureDuration(validFor)
                    .getObjectRequest(g -> g.bucket(location.bucket()).key(object))).url().toURI());
        } catch (java.net.URISyntaxException | SdkException e) {
            throw new IOException("cannot sign a URL for " + object + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public String describe() {
        return location + " at " + endpoint + (writable ? "" : " (read-only)");
    }

    /** Bytes the local object cache holds now. */
    long cachedBytes() {
        return cache.bytes();
    }

    private String objectKey(String key) {
        return location.objectKey(StorageKeys.checked(key));
    }

    private void requireWritable() {
        if (!writable) {
            throw new PackbaseException(ErrorCode.READ_ONLY, "this packbase node serves " + location + " read-only");
        }
    }

    private static void requirePrefix(String prefix) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must end with '/': " + prefix);
        }
        StorageKeys.checked(prefix.substring(0, prefix.length() - 1));
    }

    /** A 404 of the engine, for the callers that turn it into "absent". */
    private static final class NotFound extends IOException {
        private static final long serialVersionUID = 1L;

        NotFound(String what) {
            super(what);
        }
    }

    /** A 412 (or a 409 for a conditional write that raced another): another writer won. */
    private static final class ConditionFailed extends IOException {
        private static final long serialVersionUID = 1L;

        ConditionFailed(String what) {
            super(what);
        }
    }

    /**
     * One SDK call, its failures in packbase's terms: 404 → {@link NotFound}, 412/409 → {@link ConditionFailed},
     * unreachable, timed out or 5xx → {@link StorageUnavailableException}, anything else (403 above all: a
     * configuration error) → an {@link IOException} naming the operation and the engine's code.
     */
    private <T> T call(String what, Supplier<T> request) throws IOException {
        try {
            return request.get();
        } catch (S3Exception e) {
            int status = e.statusCode();
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if (status == 404) {
                throw new NotFound(what);
            }
            if (status == 412 || status == 409 && "ConditionalRequestConflict".equals(code)) {
                throw new ConditionFailed(what);
            }
            if (status >= 500 || status == 429) {
                throw new StorageUnavailableException("object storage at " + endpoint + " failed to " + what + ": HTTP "
                        + status + (code == null ? "" : " " + code), e);
            }
            throw new IOException("object storage at " + endpoint + " refused to " + what + ": HTTP " + status
                    + (code == null ? "" : " " + code), e);
        } catch (SdkClientException e) {
            throw new StorageUnavailableException("object storage at " + endpoint + " did not answer to " + what + ": "
                    + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (SdkException e) {
            throw new StorageUnavailableException("object storage at " + endpoint + " failed to " + what + ": "
                    + e.getMessage(), e);
        }
    }
}
