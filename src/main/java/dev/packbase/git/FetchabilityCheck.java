package dev.packbase.git;

import dev.packbase.WorkPool;
import dev.packbase.domain.GitStatus;
import dev.packbase.domain.PackageName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PackParser;

/**
 * The real check behind {@code smart_http_ready} and {@code pseudo_git_fetchable}: run at ingest and
 * update time, in process, through the same {@link GitService} that serves clients. It sends Zig's own
 * request shapes (protocol v2 ls-refs with peel, then a fetch with {@code deepen 1} of each served
 * commit and of each upstream commit id) and reads every returned pack ({@link PackStreamCheck}:
 * well-formed, every object inflates to its size, checksum; an upstream commit's blobs are covered by
 * the checksum only, see {@link #fetches}), checking that the commit comes with the recorded tree and
 * that tree is in the pack.
 */
public final class FetchabilityCheck {
    private FetchabilityCheck() {
    }

    public static GitStatus run(GitService git, PackageName pkg) {
        return run(git, pkg, null, new WorkPool(1));
    }

    /**
     * Like {@link #run(GitService, PackageName)}, but fetches only the given tags' commits (null: all).
     * ls-refs always covers every ref. Used after an ingest: tags checked before have not changed.
     * The fetches are independent and spread over {@code work}; problems are reported in tag order.
     */
    public static GitStatus run(GitService git, PackageName pkg, java.util.Set<String> onlyTags, WorkPool work) {
        List<String> problems = new ArrayList<>();
        try {
            Optional<GitService.Served> opened = git.open(pkg);
            if (opened.isEmpty()) {
                return GitStatus.failed("no derived Git data");
            }
            GitService.Served served = opened.get();
            Map<String, String> advertised = lsRefs(git, served);
            boolean ready = !served.refs().isEmpty() || !served.pinned().isEmpty();
            for (Map.Entry<String, ObjectId> ref : served.refs().entrySet()) {
                if (!ref.getValue().name().equals(advertised.get("refs/tags/" + ref.getKey()))) {
                    problems.add("ls-refs does not advertise refs/tags/" + ref.getKey());
                    ready = false;
                }
            }
            List<Want> wanted = new ArrayList<>();
            for (GitIndex.Tag tag : served.index().tags()) {
                if (!served.refs().containsKey(tag.tag()) || (onlyTags != null && !onlyTags.contains(tag.tag()))) {
                    continue;
                }
                wanted.add(new Want(tag.commit(), tag.tree(), true));
                if (tag.upstreamPack() != null) {
                    wanted.add(new Want(tag.upstreamCommit(), tag.tree(), false));
                }
            }
            for (GitIndex.Tag commit : served.pinned()) {
                if (onlyTags == null || onlyTags.contains(commit.tag())) {
                    wanted.add(new Want(commit.upstreamCommit(), commit.tree(), false));
                }
            }
            List<String> failures = work.map(wanted, w -> fetches(git, served, w.commit(), w.tree(), w.blobs()));
            boolean fetchable = ready;
            for (String failure : failures) {
                if (failure != null) {
                    problems.add(failure);
                    fetchable = false;
                }
            }
            return new GitStatus(ready, fetchable, problems);
        } catch (IOException | RuntimeException e) {
            problems.add("Git check failed: " + e);
            return new GitStatus(false, false, problems);
        }
    }

    /** One fetch of the check: the commit, the tree it must come with, and whether its blobs are inflated. */
    private record Want(String commit, String tree, boolean blobs) {
    }

    private static Map<String, String> lsRefs(GitService git, GitService.Served served) throws IOException {
        byte[] request = GitService.request("command=ls-refs", "object-format=sha1", PktLines.DELIM, "peel", "symrefs",
                "ref-prefix refs/tags/", "ref-prefix HEAD", PktLines.FLUSH);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        git.uploadPack(served, request, "version=2", out);
        Map<String, String> refs = new HashMap<>();
        for (PktLines.Packet p : PktLines.parse(out.toByteArray())) {
            if (p.special() == null) {
                String[] parts = p.text().split(" ");
                if (parts.length >= 2) {
                    refs.put(parts[1], parts[0]);
                }
            }
        }
        return refs;
    }

    /**
     * Fetches {@code commit} as Zig does; null if it came with its tree, else what went wrong. Without
     * {@code blobs}, the blobs of the returned pack are covered by its checksum only, not inflated:
     * used for an upstream commit id, whose pack is the stored upstream pack file sent as it is, and
     * whose blobs are the same compressed bytes as those of the served commit's pack (both packs are
     * written from one scratch repository), which the served commit's fetch inflates in full.
     */
    private static String fetches(GitService git, GitService.Served served, String commit, String tree, boolean blobs)
            throws IOException {
        byte[] request = GitService.request("command=fetch", "object-format=sha1", PktLines.DELIM, "ofs-delta",
                "no-progress", "deepen 1", "want " + commit, "done", PktLines.FLUSH);
        ResponseBuffer out = new ResponseBuffer();
        git.uploadPack(served, request, "version=2", out);
        // The pack is demultiplexed in place, over the response's own buffer: one copy of a response
        // in memory per fetch, however many fetches run in parallel and however large the tag.
        byte[] b = out.bytes();
        int n = out.length();
        int read = 0;
        int packLength = 0;
        boolean inPack = false;
        while (read < n) {
            int len = read + 4 <= n ? PktLines.length(b, read) : -1;
            if (len < 0 || len == 3 || read + len > n) {
                return "fetch of " + commit + " returned broken pkt-line framing at byte " + read;
            }
            if (len < 4) {
                read += 4; // flush, delimiter, response end
                continue;
            }
            int start = read + 4;
            int size = len - 4;
            if (!inPack) {
                String text = new String(b, start, size, java.nio.charset.StandardCharsets.UTF_8).stripTrailing();
                if (text.startsWith("ERR ")) {
                    return "fetch of " + commit + ": " + text;
                }
                inPack = text.equals("packfile");
            } else if (size == 0 || b[start] != 1) {
                return "fetch of " + commit + " sent a non-data packet in the pack stream";
            } else {
                System.arraycopy(b, start + 1, b, packLength, size - 1); // never ahead of what was read
                packLength += size - 1;
            }
            read += len;
        }
        Optional<PackStreamCheck.Contents> contents;
        try {
            contents = PackStreamCheck.read(b, packLength, blobs);
        } catch (IOException e) {
            return "fetch of " + commit + " returned a broken pack: " + e.getMessage();
        }
        String received = contents.isPresent() ? contents.get().commitTrees().get(commit)
                : parsedTree(b, packLength, commit);
        if (received == null) {
            return "fetch of " + commit + " did not return it";
        }
        if (!received.equals(tree)) {
            return "fetch of " + commit + " returned tree " + received + ", expected " + tree;
        }
        if (contents.isPresent() && !contents.get().trees().contains(tree)) {
            return "fetch of " + commit + " did not return its tree " + tree;
        }
        return null;
    }

    /** A pack with deltas (not what packbase sends to a shallow fetch) is read by JGit's PackParser. */
    private static String parsedTree(byte[] pack, int length, String commit) throws IOException {
        InMemoryRepository repo = new InMemoryRepository(new DfsRepositoryDescription("check"));
        try (ObjectInserter ins = repo.newObjectInserter()) {
            PackParser parser = ins.newPackParser(new ByteArrayInputStream(pack, 0, length));
            parser.setAllowThin(false);
            parser.parse(NullProgressMonitor.INSTANCE);
            ins.flush();
        }
        try (RevWalk walk = new RevWalk(repo)) {
            return walk.parseCommit(ObjectId.fromString(commit)).getTree().name();
        } catch (IOException e) {
            return null;
        }
    }

    /** A response buffer read in place (ByteArrayOutputStream would copy it). */
    private static final class ResponseBuffer extends ByteArrayOutputStream {
        ResponseBuffer() {
            super(1 << 20);
        }

        byte[] bytes() {
            return buf;
        }

        int length() {
            return count;
        }
    }
}
