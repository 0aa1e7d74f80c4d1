package dev.packbase.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Small real Zig packages for tests, in the manifest dialect each Zig version accepts: a string
 * {@code .name} for 0.12/0.13, an enum {@code .name} with a {@code .fingerprint} (upper 32 bits =
 * CRC-32 of the name) from 0.14 on. Also the consumer project that depends on one and runs its code.
 */
public final class ZigPackages {
    private ZigPackages() {
    }

    public static long fingerprint(String name, int id) {
        CRC32 crc = new CRC32();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        return (crc.getValue() << 32) | (id & 0xffffffffL);
    }

    public static String manifest(String name, String version, boolean legacy) {
        String head = legacy ? "    .name = \"" + name + "\",\n"
                : "    .name = ." + name + ",\n    .fingerprint = 0x" + Long.toHexString(fingerprint(name, 0x5eed0001)) + ",\n";
        return ".{\n" + head
                + "    .version = \"" + version + "\",\n"
                + "    .dependencies = .{},\n"
                + "    .paths = .{ \"build.zig\", \"build.zig.zon\", \"src\" },\n"
                + "}\n";
    }

    public static final String LIBRARY_BUILD = """
            const std = @import("std");

            pub fn build(b: *std.Build) void {
                _ = b.addModule("greet", .{ .root_source_file = b.path("src/root.zig") });
            }
            """;

    public static String librarySource(String greeting) {
        return "pub fn greeting() []const u8 {\n    return \"" + greeting + "\";\n}\n";
    }

    /**
     * An upstream repository with the package "greet": v1.0.0 (a root commit) and v1.1.0 (with a
     * parent, so its upstream commit id differs from the one packbase serves).
     */
    public static UpstreamRepo greetRepo(Path projectRoot, String repoName, Path scratch, boolean legacy) {
        UpstreamRepo repo = UpstreamRepo.create(projectRoot, repoName, scratch);
        repo.write("build.zig", LIBRARY_BUILD).write("build.zig.zon", manifest("greet", "1.0.0", legacy))
                .write("src/root.zig", librarySource("hello from greet 1.0.0"))
                .write("README.md", "not in .paths\n");
        repo.lightweightTag("v1.0.0", repo.commit("greet 1.0.0", 1_700_000_000L));
        repo.write("build.zig.zon", manifest("greet", "1.1.0", legacy))
                .write("src/root.zig", librarySource("hello from greet 1.1.0"));
        repo.annotatedTag("v1.1.0", repo.commit("greet 1.1.0", 1_700_100_000L), "greet 1.1.0");
        return repo.publish();
    }

    public static String consumerManifest(boolean legacy) {
        String head = legacy ? "    .name = \"app\",\n"
                : "    .name = .app,\n    .fingerprint = 0x" + Long.toHexString(fingerprint("app", 0x0a990001)) + ",\n";
        return ".{\n" + head + "    .version = \"0.0.0\",\n    .dependencies = .{},\n    .paths = .{\"\"},\n}\n";
    }

    /**
     * The build.zig line declaring {@code exe} from {@code main.zig} (with {@code target} and {@code optimize} in
     * scope): 0.13 still takes root_source_file on the executable; 0.14+ a root module.
     */
    public static String executable(boolean legacy) {
        return legacy
                ? "    const exe = b.addExecutable(.{ .name = \"app\", .root_source_file = b.path(\"main.zig\"), "
                        + ".target = target, .optimize = optimize });\n"
                : "    const exe = b.addExecutable(.{ .name = \"app\", .root_module = b.createModule(.{ "
                        + ".root_source_file = b.path(\"main.zig\"), .target = target, .optimize = optimize }) });\n";
    }

    /** build.zig of the consumer: the app imports the module of its dependency "greet". */
    public static String consumerBuild(boolean legacy) {
        String exe = executable(legacy);
        return "const std = @import(\"std\");\n\n"
                + "pub fn build(b: *std.Build) void {\n"
                + "    const target = b.standardTargetOptions(.{});\n"
                + "    const optimize = b.standardOptimizeOption(.{});\n"
                + exe
                + "    const greet = b.dependency(\"greet\", .{});\n"
                + "    exe.root_module.addImport(\"greet\", greet.module(\"greet\"));\n"
                + "    const run = b.addRunArtifact(exe);\n"
                + "    b.step(\"run\", \"run the app\").dependOn(&run.step);\n"
                + "}\n";
    }

    /** Writes the consumer project (manifest, build.zig, main.zig) of this Zig era into {@code app}; returns it. */
    public static Path consumerApp(Path app, boolean legacy) throws java.io.IOException {
        Files.createDirectories(app);
        Files.writeString(app.resolve("build.zig.zon"), consumerManifest(legacy));
        Files.writeString(app.resolve("build.zig"), consumerBuild(legacy));
        Files.writeString(app.resolve("main.zig"), CONSUMER_MAIN);
        return app;
    }

    public static final String CONSUMER_MAIN = """
            const std = @import("std");
            const greet = @import("greet");

            pub fn main() void {
                std.debug.print("{s}\\n", .{greet.greeting()});
            }
            """;
}
