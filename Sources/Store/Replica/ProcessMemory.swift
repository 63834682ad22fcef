import CMalloc

/// The process's memory allocator, set for a command that runs and ends (a sync, a merge, a
/// report), not for a server.
public enum ProcessMemory {
    /// Limits glibc's malloc to two arenas. By default it makes up to eight per core, one for
    /// each thread that meets contention (the HTTP client's event loops, Swift's pool, the
    /// database's queues), and each keeps the memory freed into it: a full pull of 10,000,000
    /// operations over HTTP peaked at 138 MiB by default and at 126 MiB with two arenas, in
    /// the same time (Benchmarks/README.md). A server (`ktx hub serve`, `ktx ui`) keeps the
    /// default: its many concurrent requests are what the arenas are for.
    ///
    /// Call it first thing, before any thread starts; it does nothing where glibc is absent.
    public static func limitArenasForACommand() {
        _ = ktx_limit_malloc_arenas(2)
    }
}
