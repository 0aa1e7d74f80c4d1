package dev.packbase.http;

import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/** gzip content coding for JSON bodies that are built once and sent many times. */
final class Gzip {
    private Gzip() {
    }

    static byte[] of(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 8 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return out.toByteArray();
    }

    /**
     * Whether {@code Accept-Encoding} lists gzip (or {@code *}) without {@code q=0} (RFC 9110 §12.5.3).
     * Tarballs never use this: Zig rejects a {@code Content-Encoding} on them.
     */
    static boolean accepted(HttpServletRequest req) {
        String header = req.getHeader("Accept-Encoding");
        if (header == null) {
            return false;
        }
        for (String part : header.toLowerCase(Locale.ROOT).split(",")) {
            String[] fields = part.split(";");
            String coding = fields[0].trim();
            if (!coding.equals("gzip") && !coding.equals("x-gzip") && !coding.equals("*")) {
                continue;
            }
            boolean refused = false;
            for (int i = 1; i < fields.length; i++) {
                String p = fields[i].trim();
                if (p.startsWith("q=")) {
                    refused = p.substring(2).trim().matches("0(\\.0{0,3})?");
                }
            }
            return !refused;
        }
        return false;
    }
}
