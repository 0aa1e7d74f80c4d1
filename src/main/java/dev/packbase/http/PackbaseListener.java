package dev.packbase.http;

import dev.packbase.Packbase;
import dev.packbase.config.ConfigLoader;
import dev.packbase.http.fastpath.FastPath;
import dev.packbase.metrics.Metrics;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Starts packbase inside any Servlet 6.0 container (declared in web.xml): loads the configuration, builds the
 * {@link Packbase} composition root, builds the HTTP edge (handlers and the route table, {@link #routes}) and
 * maps its one servlet to {@code /*}. A failure here fails the deployment, so a misconfigured instance never
 * serves.
 */
public final class PackbaseListener implements ServletContextListener {
    private static final Logger LOG = Logger.getLogger(PackbaseListener.class.getName());

    private Packbase packbase;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        ConfigLoader.Loaded loaded = new ConfigLoader(System.getenv(), System.getProperties(),
                context::getInitParameter, buildRelease()).load();
        LOG.info("packbase " + loaded.config().release() + " starting in " + context.getServerInfo()
                + " at context path '" + context.getContextPath() + "'");
        loaded.report().forEach(line -> LOG.info("setting " + line));
        packbase = Packbase.start(loaded.config(), Clock.systemUTC());
        context.setAttribute(Packbase.class.getName(), packbase);

        JsonBodies bodies = new JsonBodies(packbase.json());
        PublicUrls publicUrls = new PublicUrls(packbase.config());
        Metrics metrics = packbase.metrics();
        RequestIds ids = new RequestIds(packbase.config().trustedProxies());
        TarballResolver resolver = new TarballResolver(packbase.registry(), packbase.archives());
        TarballSender sender = new TarballSender(packbase.storage(), new TarballCache(
                packbase.config().http().tarballCacheBytes(), TarballCache.MAX_FILE_BYTES),
                packbase.config().objectStorage().map(s -> s.presignedRedirect()).orElse(java.time.Duration.ZERO),
                metrics);
        ApiHandler api = new ApiHandler(packbase.config(), packbase.registry(), packbase.fetches(), packbase.update(),
                packbase.rewriter(), packbase.closures(), packbase.bundler(), packbase.hashes(), packbase.storage(), bodies,
                publicUrls, packbase.tokens(), packbase.audit());
        TarballHandler tarballs = new TarballHandler(resolver, sender, packbase.storage(), publicUrls);
        GitHandler git = new GitHandler(packbase.git());
        RootHandler root = new RootHandler(packbase.config(), bodies);
        PageHandler pages = new PageHandler(packbase.web(), publicUrls, packbase.config().release());
        HealthHandler health = new HealthHandler(packbase.readiness(), bodies);
        Optional<MetricsHandler> exposition = packbase.exposition().map(MetricsHandler::new);

        EdgeServlet edge = new EdgeServlet(routes(api, tarballs, git, root, pages, health, exposition),
                new RequestLimit(packbase.config().http().maxConcurrentRequests()),
                new ErrorLadder(packbase.json(), pages::errorPage), ids, metrics);
        ServletRegistration.Dynamic registration = context.addServlet("packbase", edge);
        registration.addMapping("/*");
        registration.setLoadOnStartup(1);
        registration.setAsyncSupported(false);
        context.setAttribute(FastPath.ATTRIBUTE, new TarballFastPath(resolver, sender, ids, metrics));
    }

    /**
     * Every path packbase answers, first match wins (see {@link Routes} for the pattern syntax), each with the route
     * kind its requests are counted under. Anything else is a JSON 404; so is {@code /metrics} when metrics are off.
     * web.xml's error page ({@code /api/_error}) is not a route: the servlet answers every ERROR dispatch.
     */
    static Routes routes(ApiHandler api, TarballHandler tarballs, GitHandler git, RootHandler root, PageHandler pages,
            HealthHandler health, Optional<MetricsHandler> metrics) {
        Routes routes = new Routes()
                .add("/api/*", Dialect.JSON, Metrics.Route.API, api)
                .add("/p/*", Dialect.JSON, Metrics.Route.TARBALL, tarballs::byTag)
                .add("/h/*", Dialect.JSON, Metrics.Route.HASH, tarballs::byHash)
                .add("/git/*", Dialect.GIT, GitHandler::kind, git::underGit, (m, req) -> true)
                // Operators' probes and scrapes, outside the request limit.
                .addUnlimited("/healthz", Dialect.JSON, Metrics.Route.OTHER, health::live)
                .addUnlimited("/readyz", Dialect.JSON, Metrics.Route.OTHER, health::ready);
        metrics.ifPresent(m -> routes.addUnlimited("/metrics", Dialect.JSON, Metrics.Route.OTHER, m));
        return routes
                // The web face: pages for browsers only (PageHandler.wantsHtml); other clients fall through.
                .add("/-/style.css", Dialect.HTML, Metrics.Route.PAGE, pages::asset)
                .add("/-/site.js", Dialect.HTML, Metrics.Route.PAGE, pages::asset)
                .add("/-/status", Dialect.HTML, Metrics.Route.PAGE, pages::status, PageHandler::wantsHtml)
                .add("/", Dialect.HTML, Metrics.Route.PAGE, pages::index, PageHandler::wantsHtml)
                .add("/{pkg}", Dialect.HTML, Metrics.Route.PAGE, pages::latest, PageHandler::wantsHtml)
                .add("/{pkg}/commit/{id}", Dialect.HTML, Metrics.Route.PAGE, pages::commit, PageHandler::wantsHtml)
                .add("/{pkg}/commit/{id}/-/*", Dialect.HTML, Metrics.Route.PAGE, pages::commitFiles,
                        PageHandler::filesOrImage)
                .add("/{pkg}/{version}", Dialect.HTML, Metrics.Route.PAGE, pages::version, PageHandler::versionPage)
                .add("/{pkg}/{version}/-/*", Dialect.HTML, Metrics.Route.PAGE, pages::tagFiles, PageHandler::filesOrImage)
                .add("/{repo}/*", Dialect.GIT, GitHandler::kind, git::atRoot, GitHandler::isAliasPath)
                .add("/", Dialect.JSON, Metrics.Route.OTHER, root);
    }

    /** The release id written into the build (see pom.xml, packbase.release). */
    static String buildRelease() {
        Properties p = new Properties();
        try (InputStream in = PackbaseListener.class.getResourceAsStream("/packbase-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        return p.getProperty("release", "unknown");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (packbase != null) {
            packbase.close();
        }
    }
}
