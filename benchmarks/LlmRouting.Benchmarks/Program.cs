using BenchmarkDotNet.Running;
using LlmRouting.Benchmarks;

// Run one suite: dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --filter '*RoutingOverhead*'
// Check the documented allocation ceilings: dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --ceilings
// The seeded agent-session simulation (docs/agents.md): dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --agents-simulation
if (args is ["--agents-simulation"])
{
    return AgentSimulation.Run();
}

if (args is ["--ceilings"])
{
    return AllocationCeilings.Run();
}

// Cancel-to-exception latency with a target that ignores its token, against one that observes it (docs/reliability.md):
// dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --cancel-latency
if (args is ["--cancel-latency"])
{
    return CancelLatency.Run();
}

// Issue 17's rows in thread CPU time (robust to a shared machine's waiting for a core; docs/performance.md):
// dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --cpu-times [part of a row's name, e.g. embedding | agents]
if (args is ["--cpu-times", .. string[] rows])
{
    return CpuTimes.Run(rows);
}

// Bytes per request of the pipeline up to each level over an instant provider (docs/performance.md):
// dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --pipeline-allocations
if (args is ["--pipeline-allocations"])
{
    return PipelineAllocations.Run();
}

// 8 requests in flight to the loopback server, direct or through the pipeline up to a level, to attach a profiler to
// (docs/performance.md): dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --pipeline-load direct|Targets|Rules|Hybrid|Fallback|Ledger|Telemetry [seconds]
if (args is ["--pipeline-load", string level, .. string[] rest])
{
    return PipelineLoad.Run(level, rest is [string s] ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 60);
}

BenchmarkSwitcher.FromAssembly(typeof(AllocationCeilings).Assembly).Run(args);
return 0;
