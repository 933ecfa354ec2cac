using BenchmarkDotNet.Running;

// Run one suite: dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --filter '*RoutingOverhead*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
