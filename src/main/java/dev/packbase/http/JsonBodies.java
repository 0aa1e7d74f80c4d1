package dev.packbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Successful JSON answers: UTF-8 {@code application/json}, {@code Cache-Control: no-cache} unless already set. */
final class JsonBodies {
    private final ObjectMapper json;

    JsonBodies(ObjectMapper json) {
        this.json = json;
    }

    void write(HttpServletResponse resp, int status, Object body) throws IOException {
        headers(resp, status);
        json.writeValue(resp.getOutputStream(), body);
    }

    /** Sends an already serialised JSON body with status 200. */
    void writeBytes(HttpServletResponse resp, byte[] body) throws IOException {
        headers(resp, HttpServletResponse.SC_OK);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    ObjectMapper mapper() {
        return json;
    }

    private static void headers(HttpServletResponse resp, int status) {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        if (resp.getHeader("Cache-Control") == null) {
            resp.setHeader("Cache-Control", "no-cache");
        }
    }
}
