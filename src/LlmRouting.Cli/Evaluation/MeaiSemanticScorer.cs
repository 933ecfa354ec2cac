using System.Numerics.Tensors;
using LlmRouting.Cli.Data;
using LlmRouting.Embeddings;

namespace LlmRouting.Cli.Evaluation;

/// <summary>
/// Microsoft.Extensions.AI's <c>SemanticRoutingChatClient</c> as a premium/economy router, for side-by-side evaluation:
/// one profile (the premium client) whose utterances are the training prompts that needed the strong model, the
/// economy client as the default, the same local embedder as ours. MEAI selects premium when the mean cosine
/// similarity of the top-k best-matching profile utterances reaches its threshold; this scorer returns exactly that
/// aggregate, so sweeping the threshold over it traces MEAI's client at every threshold (verified against the real
/// client in the CLI tests).
/// </summary>
internal sealed class MeaiSemanticScorer : PerPromptScorer
{
    private readonly LocalEmbeddingGenerator _embedder = LocalEmbeddingGenerator.Default;
    private readonly float[] _matrix;
    private readonly int _count;
    private readonly int _k;

    public MeaiSemanticScorer(IReadOnlyList<LabelledPrompt> training, int k)
    {
        string[] premium = [.. training.Where(p => p.Strong - p.Weak > 0).Select(p => p.Prompt)];
        if (premium.Length == 0)
        {
            throw new CliException("The meai-semantic router needs training prompts where the strong model was needed (--train-data); none were found.");
        }

        Utterances = premium;
        _k = Math.Clamp(k, 1, premium.Length);
        int d = _embedder.Dimensions;
        _count = premium.Length;
        _matrix = new float[_count * d];
        Parallel.For(0, _count, i => _embedder.Embed(premium[i], _matrix.AsSpan(i * d, d)));
    }

    public override string Name => "meai-semantic";

    /// <summary>Gets the premium profile's utterances.</summary>
    public IReadOnlyList<string> Utterances { get; }

    /// <summary>Gets k.</summary>
    public int TopK => _k;

    public override double Score(string prompt)
    {
        int d = _embedder.Dimensions;
        Span<float> query = stackalloc float[d];
        _embedder.Embed(prompt, query);
        Span<float> best = stackalloc float[_k];
        best.Fill(float.NegativeInfinity);
        ReadOnlySpan<float> matrix = _matrix;
        for (int i = 0; i < _count; i++)
        {
            float sim = TensorPrimitives.CosineSimilarity(query, matrix.Slice(i * d, d));
            if (float.IsNaN(sim) || sim <= best[_k - 1])
            {
                continue;
            }

            int pos = _k - 1;
            while (pos > 0 && best[pos - 1] < sim)
            {
                best[pos] = best[pos - 1];
                pos--;
            }

            best[pos] = sim;
        }

        double sum = 0;
        int n = 0;
        foreach (float s in best)
        {
            if (!float.IsNegativeInfinity(s))
            {
                sum += s;
                n++;
            }
        }

        return n == 0 ? 0 : sum / n;
    }
}
