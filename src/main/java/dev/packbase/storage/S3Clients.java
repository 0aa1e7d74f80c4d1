package dev.packbase.storage;

import dev.packbase.config.Config;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the AWS SDK's S3 client from packbase's settings. Choices that matter on S3-compatible engines:
 * <ul>
 *   <li>checksums only where an operation requires them: the SDK's default (CRC32 trailers in aws-chunked
 *       uploads) is refused or mis-stored by many engines;</li>
 *   <li>the JDK's HttpURLConnection transport, so the WAR carries no Apache or Netty client;</li>
 *   <li>every attempt bounded by {@code PACKBASE_S3_TIMEOUT_SECONDS}, and the whole call (its retries
 *       included) by three times that, so a request never hangs on an unreachable engine;</li>
 *   <li>credentials from the standard chain, which the SDK never logs.</li>
 * </ul>
 */
public final class S3Clients {
    private S3Clients() {
    }

    public static S3Client build(Config.ObjectStorage settings) {
        Duration timeout = settings.timeout();
        var builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(RetryMode.STANDARD)
                        .apiCallAttemptTimeout(timeout)
                        .apiCallTimeout(timeout.multipliedBy(3))
                        .build());
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** Signs presigned GETs the way {@link #build} addresses the bucket (no request is sent). */
    public static software.amazon.awssdk.services.s3.presigner.S3Presigner presigner(Config.ObjectStorage settings) {
        var builder = software.amazon.awssdk.services.s3.presigner.S3Presigner.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                        .pathStyleAccessEnabled(settings.pathStyle()).build());
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** How logs and errors name the engine. */
    public static String describeEndpoint(Config.ObjectStorage settings) {
        return settings.endpoint().map(Object::toString).orElse("AWS S3 (" + settings.region() + ")");
    }
}
