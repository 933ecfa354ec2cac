using System.Numerics.Tensors;

namespace LlmRouting.Caching;

// The SimHash signatures of InMemorySemanticCacheIndex: fixed seeded hyperplanes, one bit per plane, and the Hamming cutoff a similarity threshold allows.
public sealed partial class InMemorySemanticCacheIndex
{
    /// <summary>The largest Hamming distance an entry at <paramref name="minSimilarity"/> reaches, with 6 standard deviations of margin.</summary>
    internal static int HammingCutoff(float minSimilarity)
    {
        if (minSimilarity <= 0)
        {
            return SignatureBits;
        }

        double p = Math.Acos(Math.Min(1.0, minSimilarity)) / Math.PI;
        double cutoff = (SignatureBits * p) + (6 * Math.Sqrt(SignatureBits * p * (1 - p))) + 2;
        return (int)Math.Min(SignatureBits, Math.Ceiling(cutoff));
    }

    /// <summary>Fixed random Gaussian hyperplanes (a seeded generator: the same on every run and machine).</summary>
    private static float[] CreateHyperplanes(int dimensions)
    {
        var random = new Random(HyperplaneSeed);
        float[] planes = new float[SignatureBits * dimensions];
        for (int i = 0; i < planes.Length; i++)
        {
            // Box–Muller: a standard normal from two uniforms.
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            planes[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }

        return planes;
    }

    /// <summary>The SimHash signature of <paramref name="vector"/>: one bit per hyperplane, set when the projection is not negative.</summary>
    private void Sign(ReadOnlySpan<float> vector, Span<ulong> signature)
    {
        signature.Clear();
        int dimensions = _dimensions;
        ReadOnlySpan<float> planes = _hyperplanes;
        for (int b = 0; b < SignatureBits; b++)
        {
            if (TensorPrimitives.Dot(planes.Slice(b * dimensions, dimensions), vector) >= 0)
            {
                signature[b >> 6] |= 1UL << (b & 63);
            }
        }
    }
}
