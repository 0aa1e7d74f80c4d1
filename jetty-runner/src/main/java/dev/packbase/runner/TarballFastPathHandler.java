package dev.packbase.runner;

import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.packbase.http.fastpath.FastPath;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Standalone only: answers GET and HEAD of tarballs that packbase holds in memory straight from Jetty's core
 * API, and hands every other request to the webapp. It decides nothing itself: the webapp's {@link FastPath}
 * (published as the context attribute {@link FastPath#ATTRIBUTE}) resolves the tag, evaluates If-None-Match,
 * Range and If-Range with the servlet's own code and returns status, headers and body, or null whenever the
 * servlet has to answer (not cached, an error, another method or path). So the two paths cannot differ in what
 * they send, only in the cost of sending it.
 *
 * <p>Why it exists: on the 2-core benchmark machine even an empty servlet in Jetty's ee10 stack reached only
 * about half of nginx's requests/s for a 10 KB file, while a core handler that runs on the selector thread
 * reached about 0.8 (DESIGN.md, "Tarball downloads"). The cached answer never blocks (map lookups and one
 * buffer write), so this handler declares itself non-blocking and runs where Jetty parsed the request; the
 * webapp, which blocks (storage, ingest, Git), always runs on a pool thread, as it did without this handler.
 */
final class TarballFastPathHandler extends Handler.Wrapper {
    private static final Logger LOG = Logger.getLogger(TarballFastPathHandler.class.getName());

    private final WebAppContext webapp;
    private final Executor executor;
    private volatile FastPath fastPath;

    private TarballFastPathHandler(WebAppContext webapp, Executor executor) {
        super(webapp);
        this.webapp = webapp;
        this.executor = executor;
    }

    /**
     * Wraps the (not yet started) webapp. The webapp's class loader is told to take {@link FastPath}'s package
     * from this launcher's loader, which has it at the WAR root: otherwise the webapp would load its own copy from
     * WEB-INF/classes, a different class to this one, and its fast path would not be a {@link FastPath} here.
     */
    static TarballFastPathHandler around(WebAppContext webapp, Executor executor) {
        webapp.getProtectedClassMatcher().add(FastPath.class.getPackageName() + ".");
        return new TarballFastPathHandler(webapp, executor);
    }

    /** Connects the webapp's fast path once it has started; without one (logged), the servlets answer everything. */
    void connect() {
        Object attribute = webapp.getServletContext().getAttribute(FastPath.ATTRIBUTE);
        if (attribute instanceof FastPath f) {
            fastPath = f;
        } else {
            LOG.warning("the webapp published no tarball fast path (" + attribute
                    + "); every request goes through the servlets");
        }
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        FastPath.Answer answer = answer(request);
        if (answer != null) {
            request.setAttribute(FastPath.ROUTE_ATTRIBUTE, answer.route());
            response.setStatus(answer.status());
            HttpFields.Mutable fields = response.getHeaders();
            for (FastPath.Header header : answer.headers()) {
                fields.put(header.name(), header.value());
            }
            response.write(true, answer.body(), callback);
            return true;
        }
        // The webapp may block: never on the thread that runs this handler.
        executor.execute(() -> {
            try {
                if (!super.handle(request, response, callback)) {
                    Response.writeError(request, response, callback, 404);
                }
            } catch (Throwable t) {
                callback.failed(t);
            }
        });
        return true;
    }

    private FastPath.Answer answer(Request request) {
        FastPath f = fastPath;
        if (f == null) {
            return null;
        }
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return null;
        }
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath();
        // Only plain paths: anything percent-encoded or with dot segments goes the servlet way, so this
        // handler never has to agree with the servlet container on decoding.
        if (path == null || !path.equals(uri.getCanonicalPath()) || path.indexOf('%') >= 0 || path.indexOf(';') >= 0) {
            return null;
        }
        try {
            HttpFields fields = request.getHeaders();
            return f.answer(new FastPath.Request(method, path, fields::get, Request.getRemoteAddr(request)));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "tarball fast path failed; the servlet answers", e);
            return null;
        }
    }
}
