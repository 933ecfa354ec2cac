using System.Numerics.Tensors;
using LlmRouting.Cli.Data;
using LlmRouting.Embeddings;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Evaluation;

/// <summary>
/// k-nearest-neighbour router over labelled training prompts embedded with <see cref="LocalEmbeddingGenerator"/>:
/// a prompt's score is the similarity-weighted mean gain (strong − weak outcome) of its k most similar training prompts.
/// </summary>
internal sealed class EmbeddingScorer : PerPromptScorer
{
    private readonly LocalEmbeddingGenerator _embedder = LocalEmbeddingGenerator.Default;
    private readonly float[] _matrix;
    private readonly float[] _gains;
    private readonly int _count;
    private readonly int _k;

    public EmbeddingScorer(IReadOnlyList<LabelledPrompt> training, int k)
    {
        if (training.Count == 0)
        {
            throw new CliException("The embedding router needs labelled training prompts (--train-data); none were loaded.");
        }

        _k = Math.Clamp(k, 1, training.Count);
        int d = _embedder.Dimensions;
        _count = training.Count;
        _matrix = new float[_count * d];
        _gains = new float[_count];
        Parallel.For(0, _count, i =>
        {
            _embedder.Embed(training[i].Prompt, _matrix.AsSpan(i * d, d));
            _gains[i] = (float)(training[i].Strong - training[i].Weak);
        });
    }

    public override string Name => "embedding";

    public override double Score(string prompt)
    {
        int d = _embedder.Dimensions;
        Span<float> query = stackalloc float[d];
        _embedder.Embed(prompt, query);
        Span<float> bestSim = stackalloc float[_k];
        Span<int> bestIdx = stackalloc int[_k];
        bestSim.Fill(float.NegativeInfinity);
        bestIdx.Fill(-1);
        ReadOnlySpan<float> matrix = _matrix;
        for (int i = 0; i < _count; i++)
        {
            RouteTopK.Offer(TensorPrimitives.Dot(query, matrix.Slice(i * d, d)), i, bestSim, bestIdx);
        }

        double weighted = 0, total = 0;
        for (int j = 0; j < _k; j++)
        {
            if (bestIdx[j] < 0)
            {
                continue;
            }

            double w = Math.Max(bestSim[j], 0) + 1e-6;
            weighted += w * _gains[bestIdx[j]];
            total += w;
        }

        return total == 0 ? 0 : weighted / total;
    }
}
