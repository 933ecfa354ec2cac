namespace LlmRouting.Embeddings;

/// <summary>
/// Walks the words of a text (runs of letters and digits), lower-cased invariantly and truncated to the buffer's
/// length, with each word's <see cref="FeatureHash"/> and the previous word's: the tokenisation the local embedder
/// and the classifier featurizer share. Allocation-free.
/// </summary>
internal ref struct HashedWords
{
    /// <summary>The seed of word hashes.</summary>
    public const uint WordSeed = 0x9E3779B9u;

    private readonly ReadOnlySpan<char> _text;
    private readonly Span<char> _buffer;
    private int _position;
    private bool _started;

    /// <summary>Initializes a new instance of the <see cref="HashedWords"/> struct.</summary>
    /// <param name="text">The text.</param>
    /// <param name="buffer">Scratch space; longer words (hashes, base64) are truncated to its length.</param>
    public HashedWords(ReadOnlySpan<char> text, Span<char> buffer)
        : this(text, buffer, 0)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HashedWords"/> struct that starts at <paramref name="position"/> (a word boundary).</summary>
    /// <param name="text">The text.</param>
    /// <param name="buffer">Scratch space; longer words (hashes, base64) are truncated to its length.</param>
    /// <param name="position">Where to start: the first word is the first that starts there or after.</param>
    public HashedWords(ReadOnlySpan<char> text, Span<char> buffer, int position)
    {
        _text = text;
        _buffer = buffer;
        _position = position;
        _started = false;
        Word = default;
        Hash = 0;
        Previous = 0;
        HasPrevious = false;
    }

    /// <summary>Gets the current word, lower-cased.</summary>
    public Span<char> Word { get; private set; }

    /// <summary>Gets the position after the current word (the whole word, even when <see cref="Word"/> is truncated).</summary>
    public readonly int Position => _position;

    /// <summary>Gets the current word's hash.</summary>
    public uint Hash { get; private set; }

    /// <summary>Gets the previous word's hash (valid when <see cref="HasPrevious"/>).</summary>
    public uint Previous { get; private set; }

    /// <summary>Gets a value indicating whether a word came before the current one.</summary>
    public bool HasPrevious { get; private set; }

    /// <summary>Moves to the next word.</summary>
    /// <returns><see langword="false"/> at the end of the text.</returns>
    public bool MoveNext()
    {
        ReadOnlySpan<char> text = _text;
        int i = _position;
        while (i < text.Length && !IsWordChar(text[i]))
        {
            i++;
        }

        if (i >= text.Length)
        {
            _position = i;
            return false;
        }

        int start = i;
        bool ascii = true;
        while (i < text.Length && IsWordChar(text[i]))
        {
            ascii &= char.IsAscii(text[i]);
            i++;
        }

        _position = i;
        ReadOnlySpan<char> raw = text[start..Math.Min(i, start + _buffer.Length)];
        Span<char> word = _buffer[..raw.Length];
        uint hash;
        if (ascii)
        {
            // ASCII (the common case): lower-case, copy and hash in one pass; the same characters and hash as below.
            uint h = 2166136261u ^ WordSeed;
            for (int k = 0; k < raw.Length; k++)
            {
                char c = raw[k];
                c = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                word[k] = c;
                h = (h ^ c) * 16777619u;
            }

            hash = FeatureHash.Mix(h, WordSeed);
        }
        else
        {
            raw.ToLowerInvariant(word);
            hash = FeatureHash.Hash(word, WordSeed);
        }

        HasPrevious = _started;
        _started = true;
        Previous = Hash;
        Word = word;
        Hash = hash;
        return true;
    }

    private static bool IsWordChar(char c) => char.IsAscii(c) ? char.IsAsciiLetterOrDigit(c) : char.IsLetterOrDigit(c);
}
