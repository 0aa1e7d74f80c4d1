package dev.packbase.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code PACKBASE_UPSTREAM_REWRITES}: where upstream traffic really goes, like Git's
 * {@code url.<base>.insteadOf}. Only the transport changes; a package keeps the URL it was asked
 * for as its identity, so a mirror or forge proxy can be swapped without renaming anything.
 */
public record UpstreamRewrites(List<Rule> rules) {

    /** One {@code prefix=replacement} pair. */
    public record Rule(String prefix, String replacement) {
    }

    public UpstreamRewrites {
        // Longest prefix first, so the first match is the one Git's insteadOf would pick.
        List<Rule> sorted = new ArrayList<>(rules);
        sorted.sort(Comparator.comparingInt((Rule r) -> r.prefix().length()).reversed());
        rules = List.copyOf(sorted);
    }

    /** Parses {@code prefix=replacement} items; names the item that has no {@code =} or an empty side. */
    public static UpstreamRewrites parse(List<String> items) {
        List<Rule> rules = new ArrayList<>();
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                throw new IllegalArgumentException("'" + item + "' is not prefix=replacement");
            }
            rules.add(new Rule(item.substring(0, eq).strip(), item.substring(eq + 1).strip()));
        }
        return new UpstreamRewrites(rules);
    }

    /** The URL with its longest matching prefix replaced; unchanged when no rule matches. */
    public String apply(String url) {
        for (Rule rule : rules) {
            if (url.startsWith(rule.prefix())) {
                return rule.replacement() + url.substring(rule.prefix().length());
            }
        }
        return url;
    }
}
