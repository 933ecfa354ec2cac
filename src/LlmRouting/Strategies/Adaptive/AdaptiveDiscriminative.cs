using System.Numerics.Tensors;

namespace LlmRouting.Strategies;

/// <summary>Refines group centroids into the weights of a softmax classifier of the groups (SGD with L2), so that the pooling weights are the groups' posterior probabilities.</summary>
internal static class Discriminative
{
    private const double LearningRate = 0.5;
    private const double L2 = 1e-5;

    public static void Refine(IReadOnlyList<AdaptiveExample> examples, float[] weights, float[] centroids, int k, int d, AdaptiveTrainingOptions options, CancellationToken cancellationToken)
    {
        // Start from the mean centroids scaled to the temperature: the initial classifier is the nearest-centroid one.
        TensorPrimitives.Divide(centroids, (float)options.Temperature, centroids);
        string[] groups = [.. examples.Select(e => e.Group!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var index = groups.Select((g, i) => (g, i)).ToDictionary(x => x.g, x => x.i, StringComparer.Ordinal);
        int[] order = [.. Enumerable.Range(0, examples.Count)];
        var random = new Random(options.Seed);
        float[] x = new float[d];
        double[] logits = new double[k];
        for (int epoch = 0; epoch < options.DiscriminativeEpochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(order);
            double rate = LearningRate / (1 + epoch);
            float decay = (float)(1 - (rate * L2));
            foreach (int i in order)
            {
                AdaptiveModel.Project(examples[i].Embedding.Span, weights, x);
                int y = index[examples[i].Group!];
                double max = double.NegativeInfinity;
                for (int c = 0; c < k; c++)
                {
                    logits[c] = TensorPrimitives.Dot(x, centroids.AsSpan(c * d, d));
                    max = Math.Max(max, logits[c]);
                }

                double total = 0;
                for (int c = 0; c < k; c++)
                {
                    logits[c] = Math.Exp(logits[c] - max);
                    total += logits[c];
                }

                for (int c = 0; c < k; c++)
                {
                    double g = (logits[c] / total) - (c == y ? 1 : 0);
                    Span<float> w = centroids.AsSpan(c * d, d);
                    if (Math.Abs(g) > 1e-4)
                    {
                        TensorPrimitives.MultiplyAdd(x, (float)(-rate * g * examples[i].Weight), w, w);
                    }
                }
            }

            TensorPrimitives.Multiply(centroids, decay, centroids);
        }
    }
}
