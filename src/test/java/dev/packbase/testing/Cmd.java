package dev.packbase.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Tiny test helper: runs an external command, captures its output, and fails unless it exits 0. */
public final class Cmd {

    /** Exit status and the two output streams of a finished command. */
    public record Result(int exit, String stdout, String stderr) {
    }

    private Cmd() {
    }

    /**
     * Runs {@code command} in {@code dir}. The environment is this JVM's minus every {@code GIT_*} variable
     * and {@code XDG_CONFIG_HOME}, plus {@code env}. Throws {@link AssertionError} (with both outputs) on a
     * non-zero exit.
     */
    public static Result run(Path dir, Map<String, String> env, List<String> command) {
        Result r = exec(dir, env, command);
        if (r.exit() != 0) {
            throw new AssertionError("command failed (exit " + r.exit() + "): " + String.join(" ", command)
                    + "\n--- stdout ---\n" + r.stdout() + "\n--- stderr ---\n" + r.stderr());
        }
        return r;
    }

    /** Like {@link #run} but returns the result whatever the exit status. */
    public static Result exec(Path dir, Map<String, String> env, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("GIT_") || k.equals("XDG_CONFIG_HOME"));
        // A null value removes the variable.
        env.forEach((k, v) -> {
            if (v == null) {
                e.remove(k);
            } else {
                e.put(k, v);
            }
        });
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> err = new CompletableFuture<>();
            Thread drain = new Thread(() -> {
                try {
                    err.complete(readAll(p.getErrorStream()));
                } catch (RuntimeException x) {
                    err.completeExceptionally(x);
                }
            }, "cmd-stderr");
            drain.setDaemon(true);
            drain.start();
            String out = readAll(p.getInputStream());
            int exit = p.waitFor();
            return new Result(exit, out, err.join());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot run " + command, ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, ex);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
