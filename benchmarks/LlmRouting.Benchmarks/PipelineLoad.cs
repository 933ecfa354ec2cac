using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Keeps 8 requests in flight through the official OpenAI client to the loopback server — directly, or through the
/// QuickStart pipeline built up to a level — and prints requests per second and process CPU per request each second, so
/// a profiler (<c>perf record -p</c>, <c>dotnet-trace</c>) can be attached to one configuration at a time (docs/performance.md).
/// </summary>
internal static class PipelineLoad
{
    private const int Concurrency = 8;

    /// <summary>Runs until <paramref name="seconds"/> have passed.</summary>
    /// <param name="level"><c>direct</c>, or a <see cref="PipelineLevel"/> name.</param>
    /// <param name="seconds">How long to run.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string level, int seconds)
    {
        PipelineLevel? upTo = string.Equals(level, "direct", StringComparison.OrdinalIgnoreCase) ? null
            : Enum.TryParse(level, ignoreCase: true, out PipelineLevel parsed) ? parsed
            : throw new ArgumentException($"Unknown level '{level}': direct, {string.Join(", ", Enum.GetNames<PipelineLevel>())}.", nameof(level));
        LoopbackOpenAIServer server = LoopbackOpenAIServer.StartAsync().GetAwaiter().GetResult();
        using ServiceProvider? services = upTo is { } u ? PipelineThroughputBenchmarks.QuickStart(server.ChatClient, u) : null;
        IChatClient client = services?.GetRequiredService<IChatClient>() ?? server.ChatClient("gpt-4o-mini");
        List<ChatMessage> messages = PipelineThroughputBenchmarks.Conversation();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}, {level}, {Concurrency} in flight, {seconds} s"));
        long completed = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        Task[] workers = [.. Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await client.GetResponseAsync(messages).ConfigureAwait(false);
                Interlocked.Increment(ref completed);
            }
        }))];

        using var process = Process.GetCurrentProcess();
        bool finished = false;
        while (!finished)
        {
            long before = Interlocked.Read(ref completed);
            process.Refresh();
            TimeSpan cpu = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            finished = Task.WaitAll(workers, TimeSpan.FromSeconds(1));
            long done = Interlocked.Read(ref completed) - before;
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            process.Refresh();
            double perRequest = done == 0 ? 0 : (process.TotalProcessorTime - cpu).TotalMicroseconds / done;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {done / elapsed:F0} requests/s, {perRequest:F1} µs CPU per request"));
        }

        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }
}
