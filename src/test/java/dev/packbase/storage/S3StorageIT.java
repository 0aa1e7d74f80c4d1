package dev.packbase.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.domain.S3Location;
import dev.packbase.testing.S3Engine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link StorageContract} on a bucket of a real S3 server (versitygw on loopback), and what only an object
 * store has: multipart uploads under a condition, abandoned uploads, the engine's conditional writes probed,
 * the local object cache, and an engine that is gone.
 */
class S3StorageIT extends StorageContract {
    @TempDir
    static Path engineDir;
    static S3Engine engine;
    static String bucket;
    static S3Client client;

    @TempDir
    Path localDir;
    private S3Location location;

    @BeforeAll
    static void startEngine() throws IOException {
        engine = S3Engine.start(engineDir);
        bucket = engine.newBucket();
        client = engine.client();
    }

    @AfterAll
    static void stopEngine() {
        client.close();
        engine.close();
    }

    @Override
    protected Storage newStorage() throws IOException {
        location = new S3Location(bucket, "t-" + UUID.randomUUID());
        return open(localDir.resolve("writer"), false);
    }

    private S3Storage open(Path dir, boolean readOnly) {
        return S3Storage.open(client, location, engine.endpoint().toString(), dir, 1 << 20, readOnly, false);
    }

    @Override
    protected Storage readOnlyView(Storage writable) {
        return open(localDir.resolve("reader"), true);
    }

    @Override
    protected void assertNoLeftovers() throws IOException {
        try (Stream<Path> files = Files.list(localDir.resolve("writer/uploads"))) {
            assertEquals(List.of(), files.toList(), "no local upload files");
        }
        assertEquals(List.of(), client.listMultipartUploads(b -> b.bucket(bucket).prefix(location.objectKey("")))
                .uploads(), "no incomplete uploads");
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void theEngineHonoursConditionalWrites() throws Exception {
        S3Storage s = (S3Storage) newStorage();
        assertTrue(s.probeConditionalWrites(), "versitygw refuses a second create and a stale replace");
        assertEquals(List.of(), s.list(".packbase/"), "the probe leaves nothing");
    }

    @Test
    void largeObjectsGoUpInPartsAndKeepTheirCondition() throws Exception {
        location = new S3Location(bucket, "t-" + UUID.randomUUID());
        S3Storage s = new S3Storage(client, location, "test", localDir.resolve("writer"), 1 << 20, true, 5L << 20);
        byte[] big = random((int) S3Storage.PART_SIZE + (3 << 20));
        assertTrue(s.replaceIf("p/big/tag/v1.tar.gz", null, out -> out.write(big)), "created in two parts");
        assertFalse(s.replaceIf("p/big/tag/v1.tar.gz", null, out -> out.write(random(6 << 20))),
                "the completing request carries If-None-Match: a second create loses");
        assertArrayEquals(big, read(s, "p/big/tag/v1.tar.gz"));
        try (StoredObject o = s.read("p/big/tag/v1.tar.gz").orElseThrow()) {
            ByteBuffer tail = ByteBuffer.allocate(16);
            o.read(tail, big.length - 16);
            assertArrayEquals(java.util.Arrays.copyOfRange(big, big.length - 16, big.length), tail.array());
        }
        assertNoLeftovers();
    }

    @Test
    void anAbandonedUploadIsAbortedAndNeverVisible() throws Exception {
        S3Storage s = (S3Storage) newStorage();
        String key = location.objectKey("p/a/tag/v1.tar.gz");
        String id = client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(1),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(random(1000)));
        assertTrue(s.stat("p/a/tag/v1.tar.gz").isEmpty(), "an incomplete upload is no object");
        assertEquals(0, s.abortUploadsOlderThan(Duration.ofHours(1)), "a young upload may be another node's");
        assertEquals(1, s.abortUploadsOlderThan(Duration.ZERO));
        assertTrue(s.stat("p/a/tag/v1.tar.gz").isEmpty());
        assertNoLeftovers();
    }

    @Test
    void readsComeFromTheLocalCacheAndAReplacedObjectIsNeverStale() throws Exception {
        S3Storage s = (S3Storage) newStorage();
        s.replace("p/a/tag/v1.json", out -> out.write("one".getBytes()));
        try (StoredObject o = s.read("p/a/tag/v1.json").orElseThrow()) {
            assertEquals(3, o.size());
        }
        assertEquals(3, s.cachedBytes());
        s.replace("p/a/tag/v1.json", out -> out.write("three".getBytes()));
        try (StoredObject o = s.read("p/a/tag/v1.json").orElseThrow(); var in = o.stream()) {
            assertArrayEquals("three".getBytes(), in.readAllBytes(), "a new ETag is a new cache entry");
        }
        byte[] large = random(2 << 20);
        s.replace("p/a/tag/v2.tar.gz", out -> out.write(large));
        try (StoredObject o = s.read("p/a/tag/v2.tar.gz").orElseThrow()) {
            assertArrayEquals(large, o.stream().readAllBytes(), "larger than the cache: read through a private file");
        }
        assertTrue(s.cachedBytes() <= 1 << 20, "the cache stays within its bound");
    }

    @Test
    void anUnreachableEngineIsUnavailableNotAHang() throws Exception {
        location = new S3Location(bucket, "t-" + UUID.randomUUID());
        Path dir = localDir.resolve("gone");
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var settings = new dev.packbase.config.Config.ObjectStorage(location,
                java.util.Optional.of(java.net.URI.create("http://127.0.0.1:" + port)), "us-east-1", true,
                Duration.ofSeconds(1), 0, java.util.Optional.of(dir), false, Duration.ZERO);
        try (S3Client gone = S3Clients.build(settings)) {
            S3Storage s = new S3Storage(gone, location, "gone", dir, 0, true, S3Storage.MULTIPART_THRESHOLD);
            long started = System.nanoTime();
            StorageUnavailableException e = assertThrows(StorageUnavailableException.class, () -> s.stat("p/x.json"));
            assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(30).toNanos(), "bounded by the timeouts");
            assertThrows(StorageUnavailableException.class, () -> s.replace("p/x.json", out -> out.write('x')));
        }
    }
}
