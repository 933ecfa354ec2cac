using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Bytes allocated per request by the QuickStart pipeline built up to each level over an instant provider
/// (<see cref="NullChatClient"/>, which completes synchronously, so the calling thread's allocation counter sees the whole
/// request), against the provider called directly (docs/performance.md).
/// </summary>
internal static class PipelineAllocations
{
    private const int Warmup = 3_000;
    private const int Measured = 1_000;

    /// <summary>Prints one line per level.</summary>
    /// <returns>The exit code.</returns>
    public static int Run()
    {
        List<ChatMessage> messages = PipelineThroughputBenchmarks.Conversation();
        Print("direct", new NullChatClient(), messages);
        foreach (PipelineLevel level in Enum.GetValues<PipelineLevel>())
        {
            using ServiceProvider services = PipelineThroughputBenchmarks.QuickStart(_ => new NullChatClient(), level);
            Print($"up to {level}", services.GetRequiredService<IChatClient>(), messages);
        }

        return 0;
    }

    private static void Print(string name, IChatClient client, List<ChatMessage> messages)
    {
        for (int i = 0; i < Warmup; i++)
        {
            _ = client.GetResponseAsync(messages).GetAwaiter().GetResult();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Measured; i++)
        {
            _ = client.GetResponseAsync(messages).GetAwaiter().GetResult();
        }

        double perRequest = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Measured;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-18} {perRequest,8:F0} B per request"));
    }
}
