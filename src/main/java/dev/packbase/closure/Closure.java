package dev.packbase.closure;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The transitive dependency tree of a manifest or version, one node per package (deduplicated by
 * hash), in the order it was walked (breadth first), with how many nodes ended in each status.
 */
public record Closure(List<Node> nodes, Map<String, Integer> counts, boolean complete) {

    public Closure {
        nodes = List.copyOf(nodes);
        counts = Map.copyOf(counts);
    }

    /** What became of a node. Only {@code ok} nodes are held here under the hash their parent declared. */
    public enum Status {
        OK, HASH_MISMATCH, UPSTREAM_FAILED, UNSUPPORTED, LIMIT_EXCEEDED, SKIPPED_PATH;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param hash         what the parent declared (null for a root URL or a dependency without one)
     * @param computedHash the package's hash as Zig computes it, in the declared form; null when not fetched
     * @param parents      the computed hashes of the nodes that depend on it ({@code root} for the request's own)
     * @param packbaseUrl  {@code /h/<hash>.tar.gz} for an {@code ok} node
     */
    public record Node(String name, String url, String path, String hash, String computedHash, boolean lazy, int depth,
            List<String> parents, Status status, String message, String packbaseUrl) {

        public Node {
            parents = List.copyOf(parents);
        }

        Node withParent(String parent) {
            if (parents.contains(parent)) {
                return this;
            }
            List<String> more = new ArrayList<>(parents);
            more.add(parent);
            return new Node(name, url, path, hash, computedHash, lazy, depth, more, status, message, packbaseUrl);
        }
    }

    static Closure of(List<Node> nodes) {
        Map<String, Integer> counts = new TreeMap<>();
        nodes.forEach(n -> counts.merge(n.status().json(), 1, Integer::sum));
        boolean complete = nodes.stream().allMatch(n -> n.status() == Status.OK || n.status() == Status.SKIPPED_PATH);
        return new Closure(nodes, counts, complete);
    }

    /** The nodes that keep the closure from being complete. */
    public List<Node> failing() {
        return nodes.stream().filter(n -> n.status() != Status.OK && n.status() != Status.SKIPPED_PATH).toList();
    }
}
