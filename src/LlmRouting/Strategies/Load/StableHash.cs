namespace LlmRouting.Strategies;

/// <summary>A stable 64-bit string hash (FNV-1a with a murmur3 finaliser): the same on every machine and process, unlike <see cref="string.GetHashCode()"/>.</summary>
internal static class StableHash
{
    public static ulong Hash(ReadOnlySpan<char> text, ulong seed = 0)
    {
        ulong h = 14695981039346656037UL ^ seed;
        foreach (char c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }

    /// <summary>Maps a key to [0, 1), uniformly.</summary>
    public static double Unit(ReadOnlySpan<char> text) => (Hash(text) >> 11) * (1.0 / (1UL << 53));
}
