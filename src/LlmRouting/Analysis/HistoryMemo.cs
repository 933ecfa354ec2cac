using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Analysis;

/// <summary>
/// What was learned about a whole conversation — the summed signals, the token estimate and the rule text matches of
/// its unchanged messages — kept with its last message, so the next step of an agent loop (the same message objects
/// plus a few new ones) pays only for what is new.
/// </summary>
/// <remarks>
/// <para>
/// Reused only for the messages it was built from, each checked at every step: the same object at the same position
/// and, for a message whose parts are all immutable, the same parts, strings and values
/// (<see cref="MessageSignals.Fingerprint"/>). A message that holds anything mutable (an image, a nested dictionary, an
/// object) is never summed into the memo: it is read again at every step, so personal data edited into it is found.
/// A changed message anywhere makes the memo unusable and the conversation is summed again from each message's own
/// cached reading.
/// </para>
/// <para>
/// Bounded: a step's memo holds only its new messages and points to the previous step's memo (a chain, flattened every
/// <see cref="MaxDepth"/> steps, when the old links are dropped), held weakly by its last message
/// (<see cref="ConditionalWeakTable{TKey, TValue}"/>): memory is linear in the conversation and lives as long as it does;
/// at most <see cref="MaxRules"/> rule results per memo. Immutable once published, except the lazily filled parts, which are written
/// once and read with volatile semantics, and the rule results, under a lock: safe across threads. Facts depend only on
/// the content of the very message objects they were read from, so sharing them across tenants reveals nothing.
/// </para>
/// </remarks>
internal sealed class HistoryMemo
{
    /// <summary>Conversations shorter than this are read directly: the bookkeeping would cost more than it saves.</summary>
    public const int MinMessages = 4;

    /// <summary>How many of the newest messages are searched for the previous step's memo.</summary>
    public const int LookBack = 32;

    /// <summary>The most rule results one memo keeps.</summary>
    public const int MaxRules = 32;

    /// <summary>The longest chain of step memos before it is flattened into one.</summary>
    public const int MaxDepth = 32;

    private static readonly ConditionalWeakTable<ChatMessage, HistoryMemo> Memos = new();

    private readonly HistoryMemo? _parent;
    private readonly int _start;
    private readonly ChatMessage[] _tail;
    private readonly object[]?[] _prints;
    private readonly int _depth;
    private readonly int _volatileCount;
    private readonly Lock _rulesLock = new();
    private (object Key, bool Found)[] _rules = [];
    private readonly int[] _sums = [-1, -1];
    private TextSignals? _signals;

    private HistoryMemo(HistoryMemo? parent, ChatMessage[] tail, object[]?[] prints, int lastUser)
    {
        _parent = parent;
        _start = parent?.Length ?? 0;
        _tail = tail;
        _prints = prints;
        _depth = (parent?._depth ?? -1) + 1;
        _volatileCount = (parent?._volatileCount ?? 0) + prints.Count(p => p is null);
        LastUser = lastUser;
    }

    /// <summary>Visits messages of the memo.</summary>
    public interface IVisitor
    {
        /// <summary>Visits message <paramref name="index"/>.</summary>
        /// <param name="index">The message's index in the conversation.</param>
        /// <param name="message">The message.</param>
        void Visit(int index, ChatMessage message);
    }

    /// <summary>Gets the number of messages the memo covers.</summary>
    public int Length => _start + _tail.Length;

    /// <summary>Gets the index of the last user message, which the summed signals weigh fully.</summary>
    public int LastUser { get; }

    /// <summary>Gets a value indicating whether some message is read at every step (it holds a mutable part).</summary>
    public bool HasVolatile => _volatileCount > 0;

    /// <summary>Gets the sum of the stable messages' signals, once computed.</summary>
    public TextSignals? Signals => Volatile.Read(ref _signals);

    /// <summary>Gets the memo of the previous step, whose messages this one extends, if still linked.</summary>
    public HistoryMemo? Parent => _parent;

    /// <summary>Gets the index of the first message this memo holds itself (after its parent's).</summary>
    public int Start => _start;

    /// <summary>Finds the memo of an earlier step of <paramref name="messages"/> and builds (and keeps) the one for this step.</summary>
    /// <param name="messages">The request's conversation.</param>
    /// <param name="previous">The earlier step's memo, verified to cover the first <paramref name="prefix"/> messages unchanged, or null.</param>
    /// <param name="prefix">The number of leading messages <paramref name="previous"/> covers.</param>
    /// <returns>The memo of this conversation.</returns>
    public static HistoryMemo For(IReadOnlyList<ChatMessage> messages, out HistoryMemo? previous, out int prefix)
    {
        previous = Find(messages);
        prefix = previous?.Length ?? 0;
        int count = messages.Count;
        if (previous is not null && prefix == count)
        {
            return previous; // the same conversation again (a retry, a second request view): nothing new
        }

        HistoryMemo? parent = previous;
        int from = prefix;
        if (parent is { _depth: >= MaxDepth })
        {
            // Flatten: one memo over everything; the old links are dropped (their messages' entries removed).
            for (HistoryMemo? node = parent; node is not null; node = node._parent)
            {
                Memos.Remove(node._tail[^1]);
            }

            parent = null;
            from = 0;
        }

        var tail = new ChatMessage[count - from];
        var prints = new object[]?[count - from];
        int lastUser = parent?.LastUser ?? -1;
        for (int m = from; m < count; m++)
        {
            ChatMessage message = messages[m];
            tail[m - from] = message;
            prints[m - from] = m < prefix ? previous!.PrintOf(m) : MessageSignals.Fingerprint.TryTake(message);
            lastUser = message.Role == ChatRole.User ? m : lastUser;
        }

        var memo = new HistoryMemo(parent, tail, prints, lastUser);
        Memos.AddOrUpdate(tail[^1], memo);
        return memo;
    }

    /// <summary>Visits, in order from <paramref name="from"/>, the messages that are stable (summed into the memo) or, when <paramref name="stable"/> is false, the others.</summary>
    /// <typeparam name="T">The visitor.</typeparam>
    /// <param name="from">The first index to visit.</param>
    /// <param name="stable">Which messages to visit.</param>
    /// <param name="visitor">The visitor.</param>
    public void Visit<T>(int from, bool stable, ref T visitor)
        where T : struct, IVisitor
    {
        if (from < _start)
        {
            _parent!.Visit(from, stable, ref visitor);
        }

        for (int k = Math.Max(0, from - _start); k < _tail.Length; k++)
        {
            if (_prints[k] is not null == stable)
            {
                visitor.Visit(_start + k, _tail[k]);
            }
        }
    }

    /// <summary>Keeps the stable messages' summed signals (first writer wins).</summary>
    /// <param name="signals">The sum, never changed afterwards.</param>
    public void SetSignals(TextSignals signals) => Interlocked.CompareExchange(ref _signals, signals, null);

    /// <summary>Gets a kept per-message sum over the stable messages (<see cref="SumSlot"/>), or -1 before it is computed.</summary>
    /// <param name="slot">The sum.</param>
    /// <returns>The sum, or -1.</returns>
    public int GetSum(SumSlot slot) => Volatile.Read(ref _sums[(int)slot]);

    /// <summary>Keeps a per-message sum over the stable messages.</summary>
    /// <param name="slot">The sum.</param>
    /// <param name="value">Its value.</param>
    public void SetSum(SumSlot slot, int value) => Volatile.Write(ref _sums[(int)slot], value);

    /// <summary>Gets a kept rule result: whether a stable user message matches the test identified by <paramref name="key"/>.</summary>
    /// <param name="key">The test's identity: a compiled term set, a term string or a regex.</param>
    /// <param name="found">The result.</param>
    /// <returns>Whether a result is kept.</returns>
    public bool TryGetRule(object key, out bool found)
    {
        (object Key, bool Found)[] rules = Volatile.Read(ref _rules);
        foreach ((object k, bool f) in rules)
        {
            if (ReferenceEquals(k, key))
            {
                found = f;
                return true;
            }
        }

        found = false;
        return false;
    }

    /// <summary>Keeps a rule result (up to <see cref="MaxRules"/>).</summary>
    /// <param name="key">The test's identity.</param>
    /// <param name="found">Whether a stable user message matches.</param>
    public void SetRule(object key, bool found)
    {
        lock (_rulesLock)
        {
            if (_rules.Length < MaxRules && !TryGetRule(key, out _))
            {
                Volatile.Write(ref _rules, [.. _rules, (key, found)]);
            }
        }
    }

    private static HistoryMemo? Find(IReadOnlyList<ChatMessage> messages)
    {
        for (int j = messages.Count - 1; j >= 0 && j >= messages.Count - LookBack; j--)
        {
            if (Memos.TryGetValue(messages[j], out HistoryMemo? memo))
            {
                return memo.Length == j + 1 && memo.Covers(messages) ? memo : null;
            }
        }

        return null;
    }

    private object[]? PrintOf(int index)
    {
        HistoryMemo node = this;
        while (index < node._start)
        {
            node = node._parent!;
        }

        return node._prints[index - node._start];
    }

    /// <summary>Whether every message of the memo is, unchanged, at the same position of <paramref name="messages"/>.</summary>
    private bool Covers(IReadOnlyList<ChatMessage> messages)
    {
        for (HistoryMemo? node = this; node is not null; node = node._parent)
        {
            for (int k = 0; k < node._tail.Length; k++)
            {
                ChatMessage message = messages[node._start + k];
                if (!ReferenceEquals(message, node._tail[k]) || (node._prints[k] is { } print && !MessageSignals.Fingerprint.Matches(print, message)))
                {
                    return false;
                }
            }
        }

        return true;
    }
}

/// <summary>The per-message integer sums a <see cref="HistoryMemo"/> keeps.</summary>
internal enum SumSlot
{
    /// <summary>The token estimate, framing included.</summary>
    Tokens,

    /// <summary>The number of images.</summary>
    Images,
}
