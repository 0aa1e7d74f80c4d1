package dev.packbase.web;

import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.ZigInfo;
import java.util.List;

/**
 * What a package page shows, gathered before rendering: the package's info entry, the version on view
 * (the latest tag unless one was asked for), its README (already safe HTML), its top-level files, its
 * dependencies with where each is held here, and the packages that depend on it.
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
        List<String> dependents) {

    /** A declared dependency and the page or tarball here that holds its hash (null when none does). */
    record Dependency(ZigInfo.Dependency declared, String hereHref, String hereLabel) {
    }
}
