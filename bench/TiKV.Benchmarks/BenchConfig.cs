using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace TiKV.Benchmarks;

/// <summary>
/// Short but honest: 6 warm-up iterations of 500 ms (after BenchmarkDotNet's pilot), enough for tiered JIT
/// to reach optimized code on the hot path, then 5 measured iterations. Runs in-process because the
/// repository's strict build settings would also apply to BenchmarkDotNet's generated projects;
/// allocation is process-wide, so a loopback server's allocations count with the client's. The in-process
/// toolchain does not await asynchronous [GlobalSetup] methods, so set-up and clean-up block on their tasks.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(6)
            .WithIterationCount(5)
            .WithIterationTime(TimeInterval.FromMilliseconds(500)));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
