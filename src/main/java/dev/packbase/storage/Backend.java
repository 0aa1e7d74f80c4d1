package dev.packbase.storage;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The storage a configuration names, opened, with the local directory this node works in: the root
 * directory ({@link FileStorage}, scratch work under its temporary area, on the same file system) or a
 * bucket ({@link S3Storage}, scratch work and the object cache under {@code PACKBASE_LOCAL_DIR}). The only
 * place that decides between them; close it to release the engine's client.
 */
public record Backend(Storage storage, Path scratchDir, AutoCloseable resources) implements AutoCloseable {

    /** Opens what {@code config} names; {@code readOnly} forces a read-only open (operator commands, edges). */
    public static Backend open(Config config, boolean readOnly) {
        if (config.objectStorage().isEmpty()) {
            FileStorage files = FileStorage.open(config.root(), readOnly);
            return new Backend(files, files.root().resolve(StorageKeys.TMP_DIR), () -> { });
        }
        Config.ObjectStorage s3 = config.objectStorage().get();
        Path local = localDir(s3);
        S3Client client = S3Clients.build(s3);
        var presigner = s3.presignedRedirect().isZero() ? null : S3Clients.presigner(s3);
        AutoCloseable resources = () -> {
            client.close();
            if (presigner != null) {
                presigner.close();
            }
        };
        try {
            S3Storage storage = S3Storage.open(client, presigner, s3.location(), S3Clients.describeEndpoint(s3), local,
                    s3.cacheBytes(), readOnly, s3.allowUnconditionalWrites());
            return new Backend(storage, emptied(local.resolve("scratch")), resources);
        } catch (RuntimeException e) {
            try {
                resources.close();
            } catch (Exception ignored) {
                // the failure that matters is e
            }
            throw e;
        }
    }

    private static Path localDir(Config.ObjectStorage s3) {
        try {
            return s3.localDir().isPresent() ? Files.createDirectories(s3.localDir().get())
                    : Files.createTempDirectory("packbase-node-");
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot create the local directory "
                    + s3.localDir().map(Path::toString).orElse("under " + System.getProperty("java.io.tmpdir"))
                    + " (PACKBASE_LOCAL_DIR): " + e, e);
        }
    }

    /** A scratch directory is a workspace of this process only: what an earlier one left goes. */
    private static Path emptied(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        if (!p.equals(dir)) {
                            Files.delete(p);
                        }
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot empty the scratch directory " + dir + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            // The client's connections go with the process; nothing was left to write.
        }
    }
}
