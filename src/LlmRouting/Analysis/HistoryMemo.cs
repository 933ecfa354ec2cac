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
/// Bounded: one memo per conversation (building a successor drops its predecessor), held weakly by the last message
/// (<see cref="ConditionalWeakTable{TKey, TValue}"/>), so it lives as long as the conversation does; at most
/// <see cref="MaxRules"/> rule results. Immutable once published, except the lazily filled parts, which are written
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

    private static readonly ConditionalWeakTable<ChatMessage, HistoryMemo> Memos = new();

    private readonly object[]?[] _prints;
    private readonly Lock _rulesLock = new();
    private (object Key, bool Found)[] _rules = [];
    private TextSignals? _signals;
    private int _tokens = -1;

    private HistoryMemo(ChatMessage[] messages, object[]?[] prints, int lastUser)
    {
        Messages = messages;
        _prints = prints;
        LastUser = lastUser;
    }

    /// <summary>Gets the messages the memo was built from.</summary>
    public ChatMessage[] Messages { get; }

    /// <summary>Gets the index of the last user message, which the summed signals weigh fully.</summary>
    public int LastUser { get; }

    /// <summary>Gets the sum of the stable messages' signals, once computed.</summary>
    public TextSignals? Signals => Volatile.Read(ref _signals);

    /// <summary>Gets the stable messages' token estimate, or -1 before it is computed.</summary>
    public int Tokens => Volatile.Read(ref _tokens);

    /// <summary>Finds the memo of an earlier step of <paramref name="messages"/> and builds (and keeps) the one for this step.</summary>
    /// <param name="messages">The request's conversation.</param>
    /// <param name="previous">The earlier step's memo, verified to cover the first <paramref name="prefix"/> messages unchanged, or null.</param>
    /// <param name="prefix">The number of leading messages <paramref name="previous"/> covers.</param>
    /// <returns>The memo of this conversation.</returns>
    public static HistoryMemo For(IReadOnlyList<ChatMessage> messages, out HistoryMemo? previous, out int prefix)
    {
        previous = Find(messages);
        prefix = previous?.Messages.Length ?? 0;
        int count = messages.Count;
        if (previous is not null && prefix == count)
        {
            return previous; // the same conversation again (a retry, a second request view): nothing new
        }

        var copy = new ChatMessage[count];
        var prints = new object[]?[count];
        int lastUser = -1;
        for (int m = 0; m < count; m++)
        {
            ChatMessage message = messages[m];
            copy[m] = message;
            prints[m] = m < prefix ? previous!._prints[m] : MessageSignals.Fingerprint.TryTake(message);
            lastUser = message.Role == ChatRole.User ? m : lastUser;
        }

        var memo = new HistoryMemo(copy, prints, lastUser);
        if (previous is not null && !ReferenceEquals(previous.Messages[^1], copy[^1]))
        {
            Memos.Remove(previous.Messages[^1]);
        }

        Memos.AddOrUpdate(copy[^1], memo);
        return memo;
    }

    /// <summary>Gets a value indicating whether message <paramref name="index"/> is summed into the memo (all its parts immutable).</summary>
    /// <param name="index">The message's index.</param>
    /// <returns><see langword="true"/> when it is stable; otherwise it is read at every step.</returns>
    public bool IsStable(int index) => _prints[index] is not null;

    /// <summary>Keeps the stable messages' summed signals (first writer wins).</summary>
    /// <param name="signals">The sum, never changed afterwards.</param>
    public void SetSignals(TextSignals signals) => Interlocked.CompareExchange(ref _signals, signals, null);

    /// <summary>Keeps the stable messages' token estimate.</summary>
    /// <param name="tokens">The estimate.</param>
    public void SetTokens(int tokens) => Volatile.Write(ref _tokens, tokens);

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
                return memo.Messages.Length == j + 1 && memo.Covers(messages) ? memo : null;
            }
        }

        return null;
    }

    /// <summary>Whether every message of the memo is, unchanged, at the same position of <paramref name="messages"/>.</summary>
    private bool Covers(IReadOnlyList<ChatMessage> messages)
    {
        for (int m = 0; m < Messages.Length; m++)
        {
            ChatMessage message = messages[m];
            if (!ReferenceEquals(message, Messages[m]) || (_prints[m] is { } print && !MessageSignals.Fingerprint.Matches(print, message)))
            {
                return false;
            }
        }

        return true;
    }
}
