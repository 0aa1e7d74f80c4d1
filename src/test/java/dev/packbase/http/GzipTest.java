package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GzipTest {

    private static HttpServletRequest acceptEncoding(String value) {
        return (HttpServletRequest) Proxy.newProxyInstance(GzipTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) ->
                        method.getName().equals("getHeader") && "Accept-Encoding".equals(args[0]) ? value : null);
    }

    @ParameterizedTest(name = "Accept-Encoding: {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "NONE | false", "gzip | true", "GZIP | true", "br, gzip | true", "gzip;q=0.5 | true", "x-gzip | true",
        "* | true", "gzip;q=0 | false", "gzip; q=0.000 | false", "identity | false", "br, deflate | false",
        "'' | false"})
    void gzipIsUsedWhenTheClientAcceptsIt(String header, boolean accepted) {
        assertEquals(accepted, Gzip.accepted(acceptEncoding(header)));
    }

    @Test
    void theCompressedBodyInflatesToTheBody() throws Exception {
        byte[] body = "{\"packages\":[\"a\",\"b\"]}".repeat(100).getBytes(StandardCharsets.UTF_8);
        byte[] gz = Gzip.of(body);
        assertArrayEquals(body, new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes());
        assertEquals(true, gz.length < body.length / 5, "repetitive JSON compresses: " + gz.length);
    }
}
