package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;

/**
 * A remote Git repository read with JGit. Tags are listed with ls-remote; only the tags that need a
 * tarball are fetched, shallow ({@code depth 1}), into a scratch repository that the ingest deletes
 * afterwards: packbase keeps no mirror. The download-size limit and the overall time limit are
 * enforced through JGit's cancellation hook while the pack streams in. One instance serves one ingest,
 * and its time limit covers all of that ingest's upstream traffic (the listing and every fetch,
 * retries in smaller batches included). Every HTTP connection, redirect hops included, goes through
 * {@link GuardedConnections}. Upstream's messages are cleaned ({@link UpstreamText}) before they
 * become ours.
 */
public final class GitUpstream implements Upstream {
    private final UpstreamUrl url;
    private final Config.Fetch limits;
    private final long deadline;

    public GitUpstream(UpstreamUrl url, Config.Fetch limits) {
        this.url = url;
        this.limits = limits;
        this.deadline = System.nanoTime() + limits.timeout().toNanos();
    }

    @Override
    public String url() {
        return url.given();
    }

    @Override
    public List<UpstreamTag> listTags() {
        Collection<Ref> refs;
        GuardedConnections connections = new GuardedConnections(limits);
        LsRemoteCommand lsRemote = Git.lsRemoteRepository();
        if (!url.transport().startsWith("file:")) {
            // An empty in-memory repository only to carry the redirect policy: JGit reads HTTP settings from
            // the local repository's configuration, and would otherwise read the user's ~/.gitconfig.
            // (Not for file: URLs, whose transport needs a repository on a file system.)
            InMemoryRepository settings = new InMemoryRepository(new DfsRepositoryDescription("ls-remote"));
            connections.applyRedirectPolicy(settings.getConfig());
            lsRemote = new LsRemoteCommand(settings);
        }
        try {
            refs = lsRemote.setRemote(url.transport()).setTags(true).setHeads(false)
                    .setTimeout(timeoutSeconds()).setTransportConfigCallback(connections).call();
        } catch (GitAPIException | RuntimeException e) {
            throw upstreamFailed("listing tags of", e, connections);
        }
        List<UpstreamTag> tags = new ArrayList<>();
        for (Ref ref : refs) {
            String name = ref.getName();
            if (!name.startsWith("refs/tags/") || name.endsWith("^{}") || ref.getObjectId() == null) {
                continue;
            }
            tags.add(new UpstreamTag(name.substring("refs/tags/".length()), ref.getObjectId(), ref.getPeeledObjectId()));
        }
        return tags;
    }

    @Override
    public Repository fetch(List<UpstreamTag> tags, Path scratch) {
        if (System.nanoTime() - deadline >= 0) {
            throw tooSlow();
        }
        LimitMonitor monitor = new LimitMonitor(scratch);
        GuardedConnections connections = new GuardedConnections(limits);
        try (Git git = Git.init().setBare(true).setDirectory(scratch.toFile()).call()) {
            connections.applyRedirectPolicy(git.getRepository().getConfig());
            List<RefSpec> specs = tags.stream().map(t -> new RefSpec(t.source() + ":" + t.refName())).toList();
            git.fetch().setRemote(url.transport()).setRefSpecs(specs).setDepth(1).setTagOpt(TagOpt.NO_TAGS)
                    .setTimeout(timeoutSeconds()).setProgressMonitor(monitor).setTransportConfigCallback(connections)
                    .call();
            // The monitor samples while the pack streams in; a small fast fetch may finish between samples.
            monitor.nextCheck = System.nanoTime();
            if (monitor.isCancelled()) {
                throw monitor.reason;
            }
            return Git.open(scratch.toFile()).getRepository();
        } catch (GitAPIException | IOException | RuntimeException e) {
            if (monitor.reason != null) {
                throw monitor.reason;
            }
            throw upstreamFailed("fetching tags of", e, connections);
        }
    }

    /** What is left of the time limit, for JGit's socket timeout (at least a second). */
    private int timeoutSeconds() {
        long left = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
    }

    private PackbaseException tooSlow() {
        return new PackbaseException(ErrorCode.UPSTREAM_FAILED, "fetching " + url.given() + " took longer than "
                + limits.timeout().toSeconds() + " s (PACKBASE_FETCH_TIMEOUT_SECONDS)");
    }

    private PackbaseException upstreamFailed(String action, Exception e, GuardedConnections connections) {
        if (connections.refused() != null) {
            return connections.refused();
        }
        Throwable cause = e;
        String message = e.getMessage();
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
        }
        return new PackbaseException(ErrorCode.UPSTREAM_FAILED, action + " " + url.given() + " failed: "
                + UpstreamText.clean(e.getMessage() == null ? message : e.getMessage()), e);
    }

    /** Cancels the fetch when the scratch repository outgrows the download limit or time runs out. */
    private final class LimitMonitor implements ProgressMonitor {
        private final Path scratch;
        long nextCheck;
        volatile PackbaseException reason;

        LimitMonitor(Path scratch) {
            this.scratch = scratch;
        }

        @Override
        public boolean isCancelled() {
            long now = System.nanoTime();
            if (reason != null) {
                return true;
            }
            if (now - deadline > 0) {
                reason = tooSlow();
                return true;
            }
            if (now - nextCheck < 0) {
                return false;
            }
            nextCheck = now + 50_000_000L;
            long size = directorySize(scratch);
            if (size > limits.maxDownloadBytes()) {
                reason = new PackbaseException(ErrorCode.LIMIT_EXCEEDED, "upstream " + url.given() + " sent more than "
                        + limits.maxDownloadBytes() + " bytes (PACKBASE_MAX_DOWNLOAD_BYTES)");
                return true;
            }
            return false;
        }

        @Override
        public void start(int totalTasks) {
        }

        @Override
        public void beginTask(String title, int totalWork) {
        }

        @Override
        public void update(int completed) {
        }

        @Override
        public void endTask() {
        }

        @Override
        public void showDuration(boolean enabled) {
        }
    }

    private static long directorySize(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.mapToLong(p -> {
                try {
                    return Files.isRegularFile(p) ? Files.size(p) : 0;
                } catch (IOException e) {
                    return 0; // a temporary file vanished between listing and sizing
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
