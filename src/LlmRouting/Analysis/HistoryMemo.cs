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
/// A changed message anywhere makes the memo unusable: the next memo is built over the whole conversation, taking each
/// message that is still the same (reference and fingerprint) at the same position from the stale one with its reading
/// (<see cref="Reading"/>), so only the changed message is read again. The step facts (<see cref="LastTurn"/>,
/// <see cref="AssistantsSinceTurn"/>) are kept per memo too, so a step's index costs what its new messages cost.
/// </para>
/// <para>
/// Per step, the work over old messages is one pass of reference comparisons over the request's list (a span) and one
/// fingerprint check per stable message — pointer reads, no text; a message's text is read once in its life.
/// One weak-table entry per step (the memo, keyed by its last message), none per message.
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
    private readonly Reading[] _readings;
    private readonly int _depth;
    private readonly int _volatileCount;
    private readonly Lock _rulesLock = new();
    private (object Key, bool Found)[] _rules = [];
    private readonly int[] _sums = [-1, -1];
    private TextSignals? _signals;

    private HistoryMemo(HistoryMemo? parent, ChatMessage[] tail, object[]?[] prints, Reading[] readings, in Facts facts)
    {
        _parent = parent;
        _start = parent?.Length ?? 0;
        _tail = tail;
        _prints = prints;
        _readings = readings;
        _depth = (parent?._depth ?? -1) + 1;
        int volatileCount = parent?._volatileCount ?? 0;
        foreach (object[]? print in prints)
        {
            volatileCount += print is null ? 1 : 0;
        }

        _volatileCount = volatileCount;
        LastUser = facts.LastUser;
        LastTurn = facts.LastTurn;
        AssistantsSinceTurn = facts.Assistants;
    }

    /// <summary>Visits messages of the memo.</summary>
    public interface IVisitor
    {
        /// <summary>Visits message <paramref name="index"/>.</summary>
        /// <param name="index">The message's index in the conversation.</param>
        /// <param name="message">The message.</param>
        /// <param name="node">The memo that holds the message.</param>
        /// <param name="slot">The message's place in <paramref name="node"/>, for <see cref="SignalsOf"/>.</param>
        void Visit(int index, ChatMessage message, HistoryMemo node, int slot);
    }

    /// <summary>Gets the number of messages the memo covers.</summary>
    public int Length => _start + _tail.Length;

    /// <summary>Gets the index of the last user message, which the summed signals weigh fully.</summary>
    public int LastUser { get; }

    /// <summary>Gets the index of the last user message that starts a turn (not a tool result), or -1 (the agent step facts).</summary>
    public int LastTurn { get; }

    /// <summary>Gets the number of assistant messages after <see cref="LastTurn"/>.</summary>
    public int AssistantsSinceTurn { get; }

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
        previous = Find(messages, out HistoryMemo? stale);
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
        var readings = new Reading[count - from];
        var facts = parent is null ? new Facts(-1, -1, 0) : new Facts(parent.LastUser, parent.LastTurn, parent.AssistantsSinceTurn);
        for (int m = from; m < count; m++)
        {
            ChatMessage message = messages[m];
            tail[m - from] = message;
            if (m < prefix)
            {
                previous!.Take(m, out prints[m - from], out readings[m - from]);
            }
            else if (stale is null || !stale.Salvage(m, message, out prints[m - from], out readings[m - from]))
            {
                prints[m - from] = MessageSignals.Fingerprint.TryTake(message);
            }

            facts.Add(m, message);
        }

        var memo = new HistoryMemo(parent, tail, prints, readings, facts);
        Memos.AddOrUpdate(tail[^1], memo);
        return memo;
    }

    /// <summary>The signals of message <paramref name="slot"/> of this memo at <paramref name="weight"/>, read once and kept.</summary>
    /// <param name="slot">The message's place in this memo (<see cref="IVisitor.Visit"/>).</param>
    /// <param name="message">The message.</param>
    /// <param name="weight">1 for the last user message, else <see cref="RequestAnalyzer.EarlierTurnWeight"/>.</param>
    /// <returns>The signals; never changed afterwards.</returns>
    public TextSignals SignalsOf(int slot, ChatMessage message, float weight)
    {
        ref Reading reading = ref _readings[slot];
        ref TextSignals? kept = ref weight == 1f ? ref reading.Latest : ref reading.Earlier;
        TextSignals? signals = Volatile.Read(ref kept);
        if (signals is null)
        {
            signals = MessageSignals.Read(message, weight);
            signals = Interlocked.CompareExchange(ref kept, signals, null) ?? signals;
        }

        return signals;
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
                visitor.Visit(_start + k, _tail[k], this, k);
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

    /// <summary>The memo of an earlier step whose messages are, unchanged, the first of <paramref name="messages"/>; else null, with the memo that was found but no longer matches (an old message changed) as <paramref name="stale"/>.</summary>
    private static HistoryMemo? Find(IReadOnlyList<ChatMessage> messages, out HistoryMemo? stale)
    {
        stale = null;
        for (int j = messages.Count - 1; j >= 0 && j >= messages.Count - LookBack; j--)
        {
            if (Memos.TryGetValue(messages[j], out HistoryMemo? memo))
            {
                if (memo.Length == j + 1 && memo.Covers(messages))
                {
                    return memo;
                }

                stale = memo;
                return null;
            }
        }

        return null;
    }

    /// <summary>The node holding message <paramref name="index"/> and its place in it.</summary>
    private HistoryMemo NodeOf(int index, out int slot)
    {
        HistoryMemo node = this;
        while (index < node._start)
        {
            node = node._parent!;
        }

        slot = index - node._start;
        return node;
    }

    /// <summary>Message <paramref name="index"/>'s fingerprint and readings, for a memo that flattens this one.</summary>
    private void Take(int index, out object[]? print, out Reading reading)
    {
        HistoryMemo node = NodeOf(index, out int slot);
        print = node._prints[slot];
        reading = node._readings[slot];
    }

    /// <summary>Message <paramref name="index"/>'s fingerprint and readings from this stale memo, when it still holds <paramref name="message"/> there unchanged (only another message changed).</summary>
    private bool Salvage(int index, ChatMessage message, out object[]? print, out Reading reading)
    {
        print = null;
        reading = default;
        if (index >= Length)
        {
            return false;
        }

        HistoryMemo node = NodeOf(index, out int slot);
        if (!ReferenceEquals(node._tail[slot], message) || node._prints[slot] is not { } kept || !MessageSignals.Fingerprint.Matches(kept, message))
        {
            return false;
        }

        print = kept;
        reading = node._readings[slot];
        return true;
    }

    /// <summary>Whether every message of the memo is, unchanged, at the same position of <paramref name="messages"/>.</summary>
    /// <remarks>
    /// Two passes per link: the message references against the request's list (a span when the list is an array or a
    /// <see cref="List{T}"/>), then, only when every reference is the same, each stable message's fingerprint — which
    /// reads every kept message's parts again, so an old message edited in place is never taken for unchanged.
    /// </remarks>
    private bool Covers(IReadOnlyList<ChatMessage> messages)
    {
        bool spanned = MessageSpans.TryGetSpan(messages, out ReadOnlySpan<ChatMessage> list);
        for (HistoryMemo? node = this; node is not null; node = node._parent)
        {
            ChatMessage[] tail = node._tail;
            if (spanned ? !SameReferences(list.Slice(node._start, tail.Length), tail) : !SameReferences(messages, node._start, tail))
            {
                return false;
            }
        }

        for (HistoryMemo? node = this; node is not null; node = node._parent)
        {
            ChatMessage[] tail = node._tail;
            object[]?[] prints = node._prints;
            for (int k = 0; k < tail.Length; k++)
            {
                if (prints[k] is { } print && !MessageSignals.Fingerprint.Matches(print, tail[k]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool SameReferences(ReadOnlySpan<ChatMessage> messages, ChatMessage[] tail)
    {
        for (int k = 0; k < tail.Length; k++)
        {
            if (!ReferenceEquals(messages[k], tail[k]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameReferences(IReadOnlyList<ChatMessage> messages, int start, ChatMessage[] tail)
    {
        for (int k = 0; k < tail.Length; k++)
        {
            if (!ReferenceEquals(messages[start + k], tail[k]))
            {
                return false;
            }
        }

        return true;
    }
}
