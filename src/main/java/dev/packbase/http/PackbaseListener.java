package dev.packbase.http;

import dev.packbase.Packbase;
import dev.packbase.config.ConfigLoader;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Starts packbase inside any Servlet 6.0 container (declared in web.xml): loads the configuration,
 * builds the {@link Packbase} composition root, and registers the servlets with their collaborators
 * passed to their constructors. All URL mappings live here. A failure here fails the deployment, so
 * a misconfigured instance never serves.
 */
public final class PackbaseListener implements ServletContextListener {
    private static final Logger LOG = Logger.getLogger(PackbaseListener.class.getName());
    public static final String ERROR_PAGE = "/api/_error";
    /**
     * Context attribute holding {@link TarballServlet#fastPath} as a
     * {@code BiFunction<String, Function<String, String>, Object[]>}, for the standalone launcher, which serves
     * cached tarballs without the servlet machinery (jetty-runner's TarballFastPathHandler). Containers ignore it.
     */
    public static final String FAST_PATH = "dev.packbase.tarball.fastPath";

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

        ErrorResponses errors = new ErrorResponses(packbase.json());
        context.addFilter("request-limit", new RequestLimitFilter(packbase.config().limits().maxConcurrentRequests(), errors))
                .addMappingForUrlPatterns(java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST), false, "/*");
        add(context, "api", new ApiServlet(packbase.config(), packbase.registry(), packbase.ingestor(), packbase.update(),
                packbase.storage(), packbase.json(), errors), "/api/*");
        add(context, "error", new ErrorPageServlet(packbase.json(), errors), ERROR_PAGE);
        TarballServlet tarballs = new TarballServlet(packbase.registry(), packbase.storage(), packbase.config(),
                packbase.json(), errors);
        add(context, "tarballs", tarballs, "/p/*");
        java.util.function.BiFunction<String, java.util.function.Function<String, String>, Object[]> fastPath =
                tarballs::fastPath;
        context.setAttribute(FAST_PATH, fastPath);
        context.getServletRegistration("tarballs").addMapping("/h/*");
        GitHttpServlet git = new GitHttpServlet(packbase.git());
        add(context, "git", git, "/git/*");
        add(context, "root", new RootServlet(packbase.config(), git, packbase.json(), errors), "/");
    }

    private static void add(ServletContext context, String name, jakarta.servlet.Servlet servlet, String mapping) {
        ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
        registration.addMapping(mapping);
        registration.setLoadOnStartup(1);
        registration.setAsyncSupported(false);
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
