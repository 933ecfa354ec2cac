using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using LlmRouting.Embeddings;

namespace LlmRouting.Tests;

/// <summary>A remote-looking embedding generator (a destination) that records every text it receives; vectors are hashed words.</summary>
public sealed class RecordingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ConcurrentQueue<string> _inputs = new();

    public IReadOnlyCollection<string> Inputs => _inputs;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (string value in values)
        {
            _inputs.Enqueue(value);
            result.Add(new Embedding<float>(LocalEmbeddingGenerator.Default.Embed(value)));
        }

        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
