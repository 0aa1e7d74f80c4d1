package dev.packbase.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real upstream Git repository for tests, made with the git CLI: a work tree where files are
 * written and committed, and a bare copy under a project root that {@link GitHttpBackend} (or a
 * {@code file:} URL) serves. Commit times are explicit, so every fixture is reproducible.
 */
public final class UpstreamRepo {
    private final Path work;
    private final Path bare;
    private final Map<String, String> env = new HashMap<>();

    private UpstreamRepo(Path work, Path bare, Path home) {
        this.work = work;
        this.bare = bare;
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_AUTHOR_NAME", "Ada Upstream");
        env.put("GIT_AUTHOR_EMAIL", "ada@upstream.example");
        env.put("GIT_COMMITTER_NAME", "Ada Upstream");
        env.put("GIT_COMMITTER_EMAIL", "ada@upstream.example");
        env.put("TZ", "UTC");
    }

    /** Creates {@code <projectRoot>/<name>.git} (bare) fed from a work tree under {@code scratch}. */
    public static UpstreamRepo create(Path projectRoot, String name, Path scratch) {
        try {
            Path work = Files.createDirectories(scratch.resolve(name + "-work"));
            Path home = Files.createDirectories(scratch.resolve(name + "-home"));
            Path bare = projectRoot.resolve(name + ".git");
            UpstreamRepo repo = new UpstreamRepo(work, bare, home);
            repo.git("init", "-q", "-b", "main");
            repo.git("config", "core.symlinks", "true");
            Cmd.run(projectRoot, repo.env, List.of("git", "init", "-q", "--bare", bare.toString()));
            return repo;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path work() {
        return work;
    }

    public Path bare() {
        return bare;
    }

    public String fileUrl() {
        return bare.toUri().toString();
    }

    public UpstreamRepo write(String path, String content) {
        return write(path, content.getBytes(StandardCharsets.UTF_8));
    }

    public UpstreamRepo write(String path, byte[] content) {
        try {
            Path p = work.resolve(path);
            Files.createDirectories(p.getParent());
            Files.write(p, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public UpstreamRepo executable(String path, String content) {
        write(path, content);
        try {
            Files.setPosixFilePermissions(work.resolve(path), PosixFilePermissions.fromString("rwxr-xr-x"));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public UpstreamRepo symlink(String path, String target) {
        try {
            Path p = work.resolve(path);
            Files.createDirectories(p.getParent());
            Files.createSymbolicLink(p, Path.of(target));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits everything in the work tree at the given time and returns the commit id. */
    public String commit(String message, long epochSeconds) {
        git("add", "-A");
        Map<String, String> dated = new HashMap<>(env);
        dated.put("GIT_AUTHOR_DATE", "@" + epochSeconds + " +0000");
        dated.put("GIT_COMMITTER_DATE", "@" + epochSeconds + " +0000");
        Cmd.run(work, dated, List.of("git", "commit", "-q", "--allow-empty", "-m", message));
        return git("rev-parse", "HEAD");
    }

    public UpstreamRepo lightweightTag(String tag, String target) {
        git("tag", "-f", tag, target);
        return this;
    }

    public UpstreamRepo annotatedTag(String tag, String target, String message) {
        git("tag", "-f", "-a", tag, "-m", message, target);
        return this;
    }

    public UpstreamRepo deleteTag(String tag) {
        git("tag", "-d", tag);
        return this;
    }

    /** Makes the bare repository mirror the work repository's branches and tags (forced). */
    public UpstreamRepo publish() {
        git("push", "-q", "--force", "--mirror", bare.toString());
        return this;
    }

    public String git(String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        return Cmd.run(work, env, command).stdout().trim();
    }

    /** Runs git and returns raw stdout bytes (for git archive and cat-file). */
    public byte[] gitBytes(String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new AssertionError("git " + String.join(" ", args) + " failed");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Map<String, String> env() {
        return Map.copyOf(env);
    }
}
