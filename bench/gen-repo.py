#!/usr/bin/env python3
"""Generates the benchmark upstream repository, shared by bench/git-fetch.sh and bench/ingest.sh.

usage: gen-repo.py <work dir> <package> <files> <tags> <commits per tag> <mean file KiB> <churn> <seed>

A Git work tree at <work dir> with Zig-like sources, docs and a few incompressible test vectors,
built commit by commit with fixed dates (same seed, same repository, same commit ids), a valid
build.zig.zon per release, and one annotated tag v1.<n>.0 per release.
"""
import math, os, random, subprocess, sys, zlib

work, pkg = sys.argv[1], sys.argv[2]
nfiles, ntags, per_tag, kb = (int(a) for a in sys.argv[3:7])
churn, seed = float(sys.argv[7]), int(sys.argv[8])
rnd = random.Random(seed)
WORDS = ("alloc buffer reader writer token parser node tree list map index cache entry key value "
         "hash digest stream frame header block chunk page slot queue stack heap arena pool slice "
         "offset length count limit width height depth level state mode flags kind tag name path "
         "file dir socket conn request response client server handle event timer clock signal mutex "
         "lock cond thread task worker job batch range span cursor iter step seed rand bits byte word "
         "text line column row cell grid matrix vector point rect color pixel image font glyph").split()
TYPES = ["u8", "u16", "u32", "u64", "usize", "i32", "i64", "bool", "f32", "f64", "[]const u8"]
MODULES = ["core", "io", "net", "fmt", "text", "math", "mem", "hash", "compress", "json", "http",
           "crypto", "sort", "time", "fs", "os", "log", "test_util"]

def ident(capital=False):
    a, b = rnd.choice(WORDS), rnd.choice(WORDS)
    s = a + b.capitalize()
    return s[0].upper() + s[1:] if capital else s

def stmt(depth):
    r = rnd.random()
    pad = "    " * depth
    if r < 0.25:
        return f"{pad}const {ident()} = {ident()}.{ident()}({ident()}, {rnd.randint(0, 4096)});\n"
    if r < 0.45:
        return f"{pad}{ident()} += @as({rnd.choice(TYPES[:6])}, @intCast({ident()}.len)) * {rnd.randint(1, 64)};\n"
    if r < 0.6 and depth < 3:
        body = "".join(stmt(depth + 1) for _ in range(rnd.randint(1, 3)))
        return f"{pad}if ({ident()} {rnd.choice(['<', '>', '==', '!='])} {ident()}) {{\n{body}{pad}}}\n"
    if r < 0.72 and depth < 3:
        body = "".join(stmt(depth + 1) for _ in range(rnd.randint(1, 3)))
        return f"{pad}for ({ident()}.items) |{ident()}| {{\n{body}{pad}}}\n"
    if r < 0.85:
        return f"{pad}try {ident()}.append({ident()}, {ident()});\n"
    return f"{pad}// {' '.join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 12)))}\n"

def function():
    name = ident()
    params = ", ".join(f"{ident()}: {rnd.choice(TYPES)}" for _ in range(rnd.randint(0, 4)))
    doc = f"/// {' '.join(rnd.choice(WORDS) for _ in range(rnd.randint(6, 16))).capitalize()}.\n"
    body = "".join(stmt(1) for _ in range(rnd.randint(3, 14)))
    ret = rnd.choice(TYPES[:8])
    return f"{doc}pub fn {name}({params}) !{ret} {{\n{body}    return {ident()};\n}}\n\n"

def test_block():
    body = "".join(stmt(1) for _ in range(rnd.randint(2, 6)))
    return f'test "{" ".join(rnd.choice(WORDS) for _ in range(3))}" {{\n{body}}}\n\n'

def target_size():
    mean = kb * 1024
    return int(min(200 * 1024, max(400, rnd.lognormvariate(math.log(mean) - 0.5, 1.0))))

def new_zig(size):
    head = "".join(f'const {ident()} = @import("{rnd.choice(MODULES)}.zig");\n' for _ in range(rnd.randint(2, 6)))
    chunks = ['//! ' + ' '.join(rnd.choice(WORDS) for _ in range(12)) + '\nconst std = @import("std");\n' + head + "\n"]
    total = len(chunks[0])
    while total < size:
        c = test_block() if rnd.random() < 0.15 else function()
        chunks.append(c)
        total += len(c)
    return chunks

def new_doc(size):
    chunks, total = [f"# {ident(True)}\n\n"], 0
    while total < size:
        c = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(30, 90))).capitalize() + ".\n\n"
        chunks.append(c)
        total += len(c)
    return chunks

files = {}  # path -> list of chunks (text) or bytes (binary test data)
def add_file():
    r = rnd.random()
    n = len(files)
    if r < 0.86:
        path = f"src/{rnd.choice(MODULES)}/{ident()}_{n}.zig"
        files[path] = new_zig(target_size())
    elif r < 0.95:
        path = f"docs/{ident()}_{n}.md"
        files[path] = new_doc(target_size())
    else:  # incompressible test vectors, as real repositories have
        path = f"testdata/{ident()}_{n}.bin"
        files[path] = rnd.randbytes(rnd.randint(2, 48) * 1024)

def write(path, content):
    full = os.path.join(work, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    if isinstance(content, bytes):
        with open(full, "wb") as f:
            f.write(content)
    else:
        with open(full, "w") as f:
            f.write("".join(content))

fingerprint = (zlib.crc32(pkg.encode()) << 32) | rnd.getrandbits(32)
def manifest(version):
    return (f'.{{\n    .name = .{pkg},\n    .version = "{version}",\n    .fingerprint = 0x{fingerprint:016x},\n'
            f'    .minimum_zig_version = "0.14.0",\n    .dependencies = .{{}},\n'
            f'    .paths = .{{ "build.zig", "build.zig.zon", "src", "LICENSE", "README.md" }},\n}}\n')

BUILD_ZIG = ('const std = @import("std");\n\npub fn build(b: *std.Build) void {\n'
             f'    _ = b.addModule("{pkg}", .{{ .root_source_file = b.path("src/root.zig") }});\n}}\n')

env = dict(os.environ, GIT_AUTHOR_NAME="Bench Author", GIT_AUTHOR_EMAIL="author@example.invalid",
           GIT_COMMITTER_NAME="Bench Committer", GIT_COMMITTER_EMAIL="committer@example.invalid")
def git(*args, when=None):
    e = dict(env)
    if when is not None:
        e["GIT_AUTHOR_DATE"] = e["GIT_COMMITTER_DATE"] = f"{when} +0000"
    subprocess.run(["git", "-C", work, *args], check=True, env=e, stdout=subprocess.DEVNULL)

os.makedirs(work, exist_ok=True)
git("init", "-q", "-b", "main")
initial = max(10, int(nfiles * 0.8)) - 5  # the rest is added commit by commit; 5 fixed files
while len(files) < initial:
    add_file()
total_commits = ntags * per_tag
to_add = max(0, nfiles - 5 - initial)
t0 = 1704067200  # 2024-01-01T00:00:00Z
commit_no = 0
for tag in range(ntags):
    for c in range(per_tag):
        if commit_no > 0:
            text = [p for p, v in files.items() if not isinstance(v, bytes)]
            for p in rnd.sample(text, max(1, int(len(text) * churn))):
                chunks = files[p]
                i = rnd.randrange(1, len(chunks)) if len(chunks) > 1 else 0
                if rnd.random() < 0.6:
                    chunks[i] = function() if p.endswith(".zig") else new_doc(300)[1]
                else:
                    chunks.insert(i, function() if p.endswith(".zig") else new_doc(300)[1])
            adds = to_add * commit_no // (total_commits - 1) - to_add * (commit_no - 1) // (total_commits - 1) \
                if total_commits > 1 else 0
            for _ in range(adds):
                add_file()
        version = f"1.{tag}.0"
        for p, v in files.items():
            write(p, v)
        write("build.zig.zon", manifest(version))
        write("build.zig", BUILD_ZIG)
        write("src/root.zig", [f'//! {pkg} {version}\npub const version = "{version}";\n'])
        write("LICENSE", ["MIT License\n\nCopyright (c) 2024 Bench Author\n"])
        write("README.md", [f"# {pkg}\n\nGenerated benchmark package, release {version}.\n"])
        git("add", "-A")
        git("commit", "-q", "-m", f"{'Release ' + version if c == per_tag - 1 else 'Work towards ' + version} ({commit_no})",
            when=t0 + commit_no * 86400)
        commit_no += 1
    git("tag", "-a", f"v{version}", "-m", f"{pkg} {version}", when=t0 + (commit_no - 1) * 86400 + 60)
