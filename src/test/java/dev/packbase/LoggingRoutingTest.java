package dev.packbase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Libraries that log through SLF4J (JGit) end up in java.util.logging, so a container's handlers
 * (Tomcat's JULI, Jetty's) receive them like packbase's own lines.
 */
class LoggingRoutingTest {

    @Test
    void slf4jLoggersWriteIntoJavaUtilLogging() {
        List<LogRecord> seen = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                seen.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger jul = Logger.getLogger("org.eclipse.jgit.packbase.test");
        jul.addHandler(capture);
        try {
            org.slf4j.LoggerFactory.getLogger("org.eclipse.jgit.packbase.test").warn("routed {}", "through slf4j");
        } finally {
            jul.removeHandler(capture);
        }
        assertEquals(1, seen.size());
        assertTrue(seen.get(0).getMessage().contains("routed through slf4j"), seen.get(0).getMessage());
    }
}
