namespace LlmRouting.Embeddings;

/// <summary>The 32-bit feature hash shared by the local embedder and the classifier's featurizer: FNV-1a over the characters, then a murmur3 finaliser.</summary>
/// <remarks>Stable across processes and machines. Changing it changes every embedding and invalidates trained classifier models.</remarks>
internal static class FeatureHash
{
    public static uint Hash(ReadOnlySpan<char> text, uint seed)
    {
        uint h = 2166136261u ^ seed;
        foreach (char c in text)
        {
            h = (h ^ c) * 16777619u;
        }

        return Mix(h, seed);
    }

    /// <summary>Combines two hashes (or a hash and a seed): spreads bits so the index and sign taken from the result are independent.</summary>
    public static uint Mix(uint a, uint b)
    {
        uint h = a ^ (b * 0xCC9E2D51u);
        h ^= h >> 16;
        h *= 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        h ^= h >> 16;
        return h;
    }
}
