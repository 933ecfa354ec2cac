using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmRouting.Analysis;

/// <summary>
/// Every single word the analyzer reacts to — the keywords of <see cref="Keywords"/>, the cue words of
/// <see cref="PremiumNeedCues"/> and the first words of two-word phrases — in one table, so a word costs one probe.
/// </summary>
/// <remarks>
/// The probe hashes a word from its length and its first four characters (ASCII case folded, one 8-byte read): O(1) per
/// word whatever its length, and a word that is in no list — most words — is rejected by one bucket read (4 096 buckets
/// for a few hundred words: most are empty) or by comparing those four characters and the length with the entry's, kept
/// beside the buckets, without reading the key. A word of up to four characters is then a hit; a longer one is confirmed
/// by comparing its other characters ASCII case-insensitively. Immutable, shared.
/// </remarks>
internal static class Vocabulary
{
    /// <summary>The longest single word in any list; a longer word is in none.</summary>
    public static readonly int MaxLength;

    private const int BucketBits = 12;
    private static readonly Entry[] Entries;
    private static readonly short[] Buckets = new short[1 << BucketBits];
    private static readonly short[] Next;

    // Per entry: its first four characters folded as Fold reads a word's, and its length (0 for a key no word can equal),
    // so a probe rejects another word in its bucket, and accepts a word of up to four characters, without reading the key.
    private static readonly ulong[] Heads;
    private static readonly short[] Lengths;
    private static readonly Phrase[] Phrases;

    static Vocabulary()
    {
        var words = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach ((string key, Keywords.Signal signal) in Keywords.Table)
        {
            if (!key.Contains(' ', StringComparison.Ordinal))
            {
                words[key] = new Entry(key, signal, HasSignal: true, Cue: -1, Head: false);
            }
        }

        foreach ((string key, PremiumNeedCues.Cue cue) in PremiumNeedCues.Table)
        {
            words[key] = words.TryGetValue(key, out Entry e) ? e with { Cue = (sbyte)cue } : new Entry(key, default, HasSignal: false, Cue: (sbyte)cue, Head: false);
        }

        foreach (string head in Keywords.PhraseHeads)
        {
            words[head] = words.TryGetValue(head, out Entry e) ? e with { Head = true } : new Entry(head, default, HasSignal: false, Cue: -1, Head: true);
        }

        // The two-word phrases, grouped by their first word (a head has one to three continuations).
        var phrases = new List<Phrase>();
        Entry[] entries = [.. words.Values];
        for (int k = 0; k < entries.Length; k++)
        {
            if (!entries[k].Head)
            {
                continue;
            }

            int first = phrases.Count;
            foreach ((string key, Keywords.Signal signal) in Keywords.Table)
            {
                if (key.Length > entries[k].Word.Length && key.StartsWith(entries[k].Word, StringComparison.Ordinal) && key[entries[k].Word.Length] == ' ')
                {
                    phrases.Add(new Phrase(key[(entries[k].Word.Length + 1)..], signal));
                }
            }

            entries[k] = entries[k] with { PhraseStart = (short)first, PhraseCount = (short)(phrases.Count - first) };
        }

        Phrases = [.. phrases];
        Entries = entries;
        Next = new short[Entries.Length];
        Heads = new ulong[Entries.Length];
        Lengths = new short[Entries.Length];
        Buckets.AsSpan().Fill(-1);
        for (short k = 0; k < Entries.Length; k++)
        {
            string word = Entries[k].Word;
            MaxLength = Math.Max(MaxLength, word.Length);
            ulong folded = Fold(word);
            int bucket = Bucket(folded, word.Length);
            Next[k] = Buckets[bucket];
            Buckets[bucket] = k;

            // A key character without the 0x20 bit never equals a word character folded by | 0x20 (EqualsFolded): no word matches it.
            Heads[k] = folded;
            Lengths[k] = (short)(HasUnfoldedChar(word.AsSpan(0, Math.Min(4, word.Length))) ? 0 : word.Length);
        }
    }

    /// <summary>Finds <paramref name="word"/> (letters, digits and apostrophes; ASCII, any case).</summary>
    /// <param name="word">The word as it appears in the text.</param>
    /// <returns>The entry's index, or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FindAscii(ReadOnlySpan<char> word)
    {
        if (word.Length > MaxLength)
        {
            return -1;
        }

        int n = word.Length;
        ulong folded = Fold(word);
        for (int k = Buckets[Bucket(folded, n)]; k >= 0; k = Next[k])
        {
            if (Heads[k] == folded && Lengths[k] == n && (n <= 4 || EqualsFolded(word[4..], Entries[k].Word.AsSpan(4))))
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>Finds an already lower-cased <paramref name="word"/> (any script), compared ordinally.</summary>
    /// <param name="word">The lower-cased word.</param>
    /// <returns>The entry's index, or -1.</returns>
    public static int FindLowered(ReadOnlySpan<char> word)
    {
        if (word.Length > MaxLength)
        {
            return -1;
        }

        for (int k = Buckets[Bucket(Fold(word), word.Length)]; k >= 0; k = Next[k])
        {
            if (word.SequenceEqual(Entries[k].Word))
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>Finds the phrase "<paramref name="head"/> <paramref name="word"/>" and returns its signal.</summary>
    /// <param name="head">The index of the phrase's first word (an entry with <see cref="Entry.Head"/>).</param>
    /// <param name="word">The second word: ASCII in any case when <paramref name="lowered"/> is false, else lower-cased.</param>
    /// <param name="lowered">Whether <paramref name="word"/> is lower-cased already (compared ordinally).</param>
    /// <param name="signal">The phrase's signal.</param>
    /// <returns>Whether the phrase is known.</returns>
    public static bool FindPhrase(int head, ReadOnlySpan<char> word, bool lowered, out Keywords.Signal signal)
    {
        ref readonly Entry entry = ref Entries[head];
        for (int k = entry.PhraseStart; k < entry.PhraseStart + entry.PhraseCount; k++)
        {
            string second = Phrases[k].Second;
            if (second.Length == word.Length && (lowered ? word.SequenceEqual(second) : EqualsFolded(word, second)))
            {
                signal = Phrases[k].Signal;
                return true;
            }
        }

        signal = default;
        return false;
    }

    /// <summary>Gets the entry at <paramref name="index"/>.</summary>
    /// <param name="index">An index returned by a find.</param>
    /// <returns>The entry.</returns>
    public static ref readonly Entry At(int index) => ref Entries[index];

    /// <summary>
    /// Whether <paramref name="word"/> equals the lower-case <paramref name="key"/> of the same length ignoring ASCII case:
    /// <c>| 0x20</c> lower-cases the letters and keeps the digits and apostrophes a word is made of; a key character a
    /// word cannot hold ('#', '(') never compares equal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool EqualsFolded(ReadOnlySpan<char> word, ReadOnlySpan<char> key)
    {
        for (int j = 0; j < key.Length; j++)
        {
            if ((word[j] | 0x20) != key[j])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The first four characters of <paramref name="word"/> (fewer for a shorter word, the rest 0) in one 8-byte read, ASCII
    /// case folded by <c>| 0x20</c>: exact for the letters, digits and apostrophes words are made of; any other character only
    /// lands the word in some bucket, where the comparison rejects it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Fold(ReadOnlySpan<char> word)
    {
        ulong chars = word.Length switch
        {
            >= 4 => Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<char, byte>(ref MemoryMarshal.GetReference(word))),
            3 => word[0] | ((ulong)word[1] << 16) | ((ulong)word[2] << 32),
            2 => word[0] | ((ulong)word[1] << 16),
            1 => word[0],
            _ => 0,
        };
        return chars | 0x0020_0020_0020_0020UL;
    }

    private static bool HasUnfoldedChar(ReadOnlySpan<char> key)
    {
        foreach (char c in key)
        {
            if ((c | 0x20) != c)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The bucket of a word: its length and its folded first four characters, multiplied once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(ulong folded, int length) => (int)(((folded ^ (ulong)length) * 0x9E3779B97F4A7C15UL) >> (64 - BucketBits));

    /// <summary>What one word means: a keyword signal, a premium-need cue (or -1), whether it starts two-word phrases (and where they are).</summary>
    internal readonly record struct Entry(string Word, Keywords.Signal Signal, bool HasSignal, sbyte Cue, bool Head, short PhraseStart = 0, short PhraseCount = 0);

    /// <summary>The second word of a two-word phrase and the phrase's signal.</summary>
    private readonly record struct Phrase(string Second, Keywords.Signal Signal);
}
