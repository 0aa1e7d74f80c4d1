package dev.packbase.domain;

import java.util.List;

/**
 * The outcome of the Git layer's self-check for one package ({@code smart_http_ready},
 * {@code pseudo_git_fetchable}), with what failed.
 */
public record GitStatus(boolean smartHttpReady, boolean fetchable, List<String> problems) {
    public GitStatus {
        problems = List.copyOf(problems);
    }

    public static GitStatus failed(String problem) {
        return new GitStatus(false, false, List.of(problem));
    }
}
