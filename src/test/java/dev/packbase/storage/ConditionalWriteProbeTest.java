package dev.packbase.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
import dev.packbase.domain.S3Location;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** An engine that ignores conditional writes is found at startup: refused, or accepted with the documented setting. */
class ConditionalWriteProbeTest {
    @TempDir
    Path local;

    private static S3Client client(IgnoringS3 engine) {
        System.setProperty("aws.accessKeyId", "probe");
        System.setProperty("aws.secretAccessKey", "probe-secret");
        return S3Clients.build(new Config.ObjectStorage(new S3Location("bkt", ""), Optional.of(engine.endpoint()),
                "us-east-1", true, Duration.ofSeconds(5), 0, Optional.empty(), false, Duration.ZERO));
    }

    @Test
    void aWritableNodeRefusesAnEngineThatIgnoresConditionalWrites() throws Exception {
        try (IgnoringS3 engine = new IgnoringS3(); S3Client s3 = client(engine)) {
            PackbaseException e = assertThrows(PackbaseException.class, () -> S3Storage.open(s3, new S3Location("bkt", ""),
                    "ignoring", local, 0, false, false));
            assertTrue(e.getMessage().contains("ignores conditional writes"), e.getMessage());
            assertTrue(e.getMessage().contains("PACKBASE_S3_ALLOW_UNCONDITIONAL_WRITES"), e.getMessage());
            // A read-only node writes nothing, so it needs no probe.
            assertFalse(S3Storage.open(s3, new S3Location("bkt", ""), "ignoring", local, 0, true, false).writable());
        }
    }

    @Test
    void theSettingAcceptsItAndWritesThenCheckBeforeTheyWrite() throws Exception {
        try (IgnoringS3 engine = new IgnoringS3(); S3Client s3 = client(engine)) {
            S3Storage storage = S3Storage.open(s3, new S3Location("bkt", ""), "ignoring", local, 0, false, true);
            assertTrue(storage.writable());
            assertTrue(storage.replaceIf("p/a/tag/v1.tar.gz", null, out -> out.write('1')));
            assertFalse(storage.replaceIf("p/a/tag/v1.tar.gz", null, out -> out.write('2')), "checked with a HEAD first");
            assertFalse(storage.replaceIf("p/a/tag/v1.tar.gz", "\"stale\"", out -> out.write('3')));
            assertTrue(new String(StorageContract.read(storage, "p/a/tag/v1.tar.gz")).equals("1"));
        }
    }
}
