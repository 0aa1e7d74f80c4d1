package dev.packbase.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.packbase.testing.StandaloneProcess;

/** The layout of target/packbase.war: one file that is both a plain WAR and an executable jar. */
class PackagedWarIT {

    private static JarFile war;
    private static List<String> names;

    @BeforeAll
    static void openWar() throws IOException {
        Path path = StandaloneProcess.packagedWar();
        war = new JarFile(path.toFile());
        names = war.stream().map(ZipEntry::getName).sorted().collect(Collectors.toList());
    }

    @AfterAll
    static void closeWar() throws IOException {
        if (war != null) {
            war.close();
        }
    }

    @Test
    void manifestStartsTheBootstrap() throws IOException {
        Manifest manifest = war.getManifest();
        assertNotNull(manifest, "no META-INF/MANIFEST.MF");
        assertEquals("dev.packbase.runner.Bootstrap", manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS));
    }

    @Test
    void runnerClassesLiveAtTheRootOnly() {
        assertTrue(names.contains("dev/packbase/runner/Bootstrap.class"), "Bootstrap.class not at the WAR root");
        assertTrue(names.contains("dev/packbase/runner/StandaloneServer.class"), "StandaloneServer.class not at the WAR root");
        assertNone("WEB-INF/classes/dev/packbase/runner/");
    }

    /** The launcher reads its settings through the webapp's resolver, so those (JDK-only) classes sit at the root too. */
    @Test
    void settingsResolverIsAtTheRootForTheLauncherAndInTheWebapp() {
        for (String name : List.of("Setting", "Settings", "SettingException", "SettingsTable")) {
            assertTrue(names.contains("dev/packbase/config/" + name + ".class"), name + ".class not at the WAR root");
            assertTrue(names.contains("WEB-INF/classes/dev/packbase/config/" + name + ".class"), name + ".class not in the webapp");
        }
        assertTrue(names.stream().filter(n -> n.startsWith("dev/packbase/config/") && !n.endsWith("/")).allMatch(n -> n.startsWith("dev/packbase/config/Setting")),
                "only the JDK-only Setting* classes belong at the WAR root");
    }

    @Test
    void bootstrapTargetsJava8SoItCanReportAnOldJvm() throws IOException {
        try (InputStream in = war.getInputStream(war.getEntry("dev/packbase/runner/Bootstrap.class"));
             DataInputStream data = new DataInputStream(in)) {
            assertEquals(0xCAFEBABE, data.readInt());
            data.readUnsignedShort(); // minor
            assertEquals(52, data.readUnsignedShort(), "Bootstrap.class must be compiled with --release 8");
        }
    }

    @Test
    void noServerJarsInWebInfLib() {
        assertNone("WEB-INF/lib/jetty-");
        assertNone("WEB-INF/lib/jakarta.servlet-api");
    }

    @Test
    void launcherJarsAreBesideWebInfLib() {
        assertSome("WEB-INF/jetty-runner/jetty-server-");
        assertSome("WEB-INF/jetty-runner/jetty-ee10-webapp-");
        assertSome("WEB-INF/jetty-runner/slf4j-jdk14-");
    }

    @Test
    void applicationJarsAreInWebInfLib() {
        for (String jar : List.of("org.eclipse.jgit-", "jackson-databind-", "commons-compress-", "slf4j-api-", "slf4j-jdk14-")) {
            assertSome("WEB-INF/lib/" + jar);
        }
    }

    /** A logging configuration on the webapp's class path would override the container's (JULI, Jetty). */
    @Test
    void shipsNoLoggingConfigurationOrBackend() {
        List<String> found = names.stream().filter(name -> name.startsWith("WEB-INF/classes/") || name.startsWith("WEB-INF/lib/"))
                .filter(name -> name.matches(".*/(logging\\.properties|log4j2?(-\\w+)?\\.(xml|properties)|logback(-test)?\\.xml"
                        + "|simplelogger\\.properties)$") || name.matches("WEB-INF/lib/(logback|log4j|slf4j-simple|slf4j-reload4j).*"))
                .collect(Collectors.toList());
        assertTrue(found.isEmpty(), () -> "logging configuration or backend in the WAR: " + found);
    }

    @Test
    void hasWebXml() {
        assertTrue(names.contains("WEB-INF/web.xml"), "no WEB-INF/web.xml");
    }

    private static void assertSome(String prefix) {
        assertTrue(names.stream().anyMatch(name -> name.startsWith(prefix) && name.endsWith(".jar")),
                () -> "no " + prefix + "*.jar in the WAR; jars: " + jars());
    }

    private static void assertNone(String prefix) {
        List<String> found = names.stream().filter(name -> name.startsWith(prefix)).collect(Collectors.toList());
        assertTrue(found.isEmpty(), () -> "unexpected entries under " + prefix + ": " + found);
    }

    private static List<String> jars() {
        return names.stream().filter(name -> name.endsWith(".jar")).collect(Collectors.toList());
    }
}
