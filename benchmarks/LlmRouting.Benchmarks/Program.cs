using BenchmarkDotNet.Running;
using LlmRouting.Benchmarks;

// Run one suite: dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --filter '*RoutingOverhead*'
// Check the documented allocation ceilings: dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --ceilings
if (args is ["--ceilings"])
{
    return AllocationCeilings.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(AllocationCeilings).Assembly).Run(args);
return 0;
