package dev.packbase.runner;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Standalone only: answers GET and HEAD of tarballs that packbase holds in memory straight from Jetty's core
 * API, and hands every other request to the webapp. It decides nothing itself: the webapp's
 * {@code TarballServlet.fastPath} (published as the context attribute {@link #ATTRIBUTE}) resolves the tag,
 * evaluates If-None-Match, Range and If-Range with the servlet's own code and returns status, headers and body,
 * or null whenever the servlet has to answer (not cached, an error, another method or path). So the two paths
 * cannot differ in what they send, only in the cost of sending it.
 *
 * <p>Why it exists: on the 2-core benchmark machine even an empty servlet in Jetty's ee10 stack reached only
 * about half of nginx's requests/s for a 10 KB file, while a core handler that runs on the selector thread
 * reached about 0.8 (DESIGN.md, "Tarball downloads"). The cached answer never blocks (map lookups and one
 * buffer write), so this handler declares itself non-blocking and runs where Jetty parsed the request; the
 * webapp, which blocks (storage, ingest, Git), always runs on a pool thread, as it did without this handler.
 */
final class TarballFastPathHandler extends Handler.Wrapper {
    private static final Logger LOG = Logger.getLogger(TarballFastPathHandler.class.getName());

    /** Same string as {@code dev.packbase.http.PackbaseListener.FAST_PATH} (this class cannot see the webapp's). */
    static final String ATTRIBUTE = "dev.packbase.tarball.fastPath";

    private final Executor executor;
    private volatile BiFunction<String, Function<String, String>, Object[]> fastPath;

    TarballFastPathHandler(Handler webapp, Executor executor) {
        super(webapp);
        this.executor = executor;
    }

    /** Connects the webapp's fast path once it has started; a value of another type is ignored (logged). */
    @SuppressWarnings("unchecked")
    void connect(Object attribute) {
        if (attribute instanceof BiFunction) {
            fastPath = (BiFunction<String, Function<String, String>, Object[]>) attribute;
        } else {
            LOG.warning("the webapp published no tarball fast path; every request goes through the servlets");
        }
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Object[] answer = answer(request);
        if (answer != null) {
            response.setStatus((Integer) answer[0]);
            String[] headers = (String[]) answer[1];
            HttpFields.Mutable fields = response.getHeaders();
            for (int i = 0; i < headers.length; i += 2) {
                fields.put(headers[i], headers[i + 1]);
            }
            response.write(true, (ByteBuffer) answer[2], callback);
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

    private Object[] answer(Request request) {
        BiFunction<String, Function<String, String>, Object[]> f = fastPath;
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
            return f.apply(method + " " + path, fields::get);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "tarball fast path failed; the servlet answers", e);
            return null;
        }
    }
}
