package dev.packbase.web;

import dev.packbase.closure.Closure;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.ZigInfo;
import java.util.List;

/**
 * What a package page shows, gathered before rendering: the package's info entry, the version on view
 * (the latest tag unless one was asked for), its README (already safe HTML), its top-level files, its
 * dependencies with where each is held here, the packages that depend on it, and the version's stored
 * dependency closure (null when none is kept).
 */
record PackageView(
        String name,
        PackageInfo info,
        RefKind kind,
        PackageInfo.TarballInfo selected,
        boolean latest,
        String summary,
        String readmeName,
        String readmeHtml,
        boolean readmeTruncated,
        List<TarballFiles.Entry> topFiles,
        int fileCount,
        List<Dependency> dependencies,
        List<String> dependents,
        Closure closure) {

    /** A declared dependency and the page or tarball here that holds its hash (null when none does). */
    record Dependency(ZigInfo.Dependency declared, String hereHref, String hereLabel) {
    }
}
