using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Measures the time from the caller's cancellation to the exception reaching it, through the router with fallback, for a
/// target that observes its token (the baseline) and one that ignores it, non-streamed and streamed (stalled after one
/// update). Prints p50 / p99 per case, from one run on one machine, so the cases compare with each other.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --cancel-latency</c>.</remarks>
internal static class CancelLatency
{
    private const int Warmup = 20;
    private const int Samples = 300;

    public static int Run()
    {
        Console.WriteLine("| target | call | p50 | p99 |");
        Console.WriteLine("|---|---|---|---|");
        foreach (bool cooperative in new[] { true, false })
        {
            foreach (bool streaming in new[] { false, true })
            {
                (double p50, double p99) = Measure(cooperative, streaming).GetAwaiter().GetResult();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {(cooperative ? "observes its token" : "ignores its token")} | {(streaming ? "stream, stalled after 1 update" : "response")} | {p50:0.0} ms | {p99:0.0} ms |"));
            }
        }

        return 0;
    }

    private static async Task<(double P50, double P99)> Measure(bool cooperative, bool streaming)
    {
        var target = new StallingClient(cooperative);
        var services = new ServiceCollection();
        services.AddKeyedChatClient("primary", target);
        services.AddLlmRouter(r => r
            .AddTarget("primary", t => t.Prices(1m, 2m))
            .Default("primary")
            .UseFallback(o => { o.TotalTimeout = TimeSpan.FromMinutes(1); o.Resilience.EnableRetry = false; }));
        await using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        var latencies = new List<double>(Samples);
        for (int i = 0; i < Warmup + Samples; i++)
        {
            using var cts = new CancellationTokenSource();
            Task call = streaming ? ReadAsync(chat, cts.Token) : chat.GetResponseAsync("hello", cancellationToken: cts.Token);
            await target.WaitUntilStalledAsync();
            long start = Stopwatch.GetTimestamp();
            await cts.CancelAsync();
            try
            {
                await call;
                throw new InvalidOperationException("The call was expected to be cancelled.");
            }
            catch (OperationCanceledException)
            {
                if (i >= Warmup)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
        }

        latencies.Sort();
        return (latencies[latencies.Count / 2], latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1]);
    }

    private static async Task ReadAsync(IChatClient chat, CancellationToken cancellationToken)
    {
        await foreach (ChatResponseUpdate _ in chat.GetStreamingResponseAsync("hello", cancellationToken: cancellationToken))
        {
        }
    }

    /// <summary>A target that stalls until cancelled (cooperative) or for 2 s whatever its token does (non-cooperative).</summary>
    private sealed class StallingClient(bool cooperative) : IChatClient
    {
        private TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task WaitUntilStalledAsync()
        {
            await _stalled.Task;
            _stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            await StallAsync(cancellationToken);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "late"));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "first ");
            await StallAsync(cancellationToken);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "late") { FinishReason = ChatFinishReason.Stop };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }

        private Task StallAsync(CancellationToken cancellationToken)
        {
            _stalled.TrySetResult();
            return Task.Delay(cooperative ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(2), cooperative ? cancellationToken : CancellationToken.None);
        }
    }
}
