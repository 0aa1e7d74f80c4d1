package dev.packbase.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * Schemathesis found Jetty answering URIs it refuses (a suspicious character, an ambiguous encoding) with its own
 * HTML page before the webapp saw them; the standalone server's error handler answers them in JSON.
 */
class JsonErrorHandlerTest {
    @Test
    void refusedUrisGetAJsonErrorWithACode() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrorHandler());
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                resp.setStatus(200);
            }
        }), "/*");
        server.setHandler(context);
        server.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            for (String path : new String[] {"/api/info/d%C2%BA%22%1B", "/api/closure/a/commit/%C2%A6%25%F4%84%9A"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + connector.getLocalPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(400, r.statusCode(), path);
                assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), path);
                assertTrue(r.body().startsWith("{\"status\":\"bad_request\",\"message\":\"request refused by the server: "),
                        r.body());
            }
            assertEquals("\\\"\\\\\\u001b", JsonErrorHandler.escape("\"\\\u001b"), "quotes, backslashes and controls escaped");
        } finally {
            server.stop();
        }
    }
}
