using Microsoft.Extensions.AI;

namespace LlmRouting.Analysis;

/// <summary>
/// One request's use of its conversation's <see cref="HistoryMemo"/>: signals, token estimate and rule text matches,
/// each the earlier step's kept result plus what the new messages add, with the messages that cannot be kept (mutable
/// parts) read afresh every time.
/// </summary>
/// <remarks>Belongs to one request (like <see cref="RoutingRequest"/>); the memo it fills is shared and thread-safe.</remarks>
internal sealed class HistoryView
{
    private readonly IReadOnlyList<ChatMessage> _messages;
    private readonly HistoryMemo _memo;
    private readonly HistoryMemo? _previous;

    private HistoryView(IReadOnlyList<ChatMessage> messages)
    {
        _messages = messages;
        _memo = HistoryMemo.For(messages, out _previous, out _);
    }

    /// <summary>The view of <paramref name="messages"/>, or null for a conversation too short to be worth keeping.</summary>
    /// <param name="messages">The request's conversation.</param>
    /// <returns>The view, or <see langword="null"/>.</returns>
    public static HistoryView? Of(IReadOnlyList<ChatMessage> messages) =>
        messages.Count < HistoryMemo.MinMessages ? null : new HistoryView(messages);

    /// <summary>Adds every message's signals to <paramref name="total"/>: the stable messages' kept sum (in order), then each other message read afresh.</summary>
    /// <param name="total">The request's accumulator.</param>
    /// <remarks>The last user message is weighed fully, every other at <see cref="RequestAnalyzer.EarlierTurnWeight"/>.</remarks>
    public void AddSignals(TextSignals total)
    {
        total.Add(StableSignals(_memo));
        if (_memo.HasVolatile)
        {
            var others = new SignalSum(total, _memo.LastUser, fresh: true);
            _memo.Visit(0, stable: false, ref others);
        }
    }

    /// <summary>A per-message sum over the messages: the stable ones' kept sum plus each other message counted afresh.</summary>
    /// <param name="slot">Which sum.</param>
    /// <param name="count">The count of one message.</param>
    /// <returns>The sum.</returns>
    public int Sum(SumSlot slot, Func<ChatMessage, int> count)
    {
        var others = new IntSum(count) { Total = StableSum(_memo, slot, count) };
        if (_memo.HasVolatile)
        {
            _memo.Visit(0, stable: false, ref others);
        }

        return others.Total;
    }

    /// <summary>Whether a text part of a user message passes <paramref name="test"/>, identified by <paramref name="key"/> (kept per memo).</summary>
    /// <param name="key">The test's identity and state: a compiled term set, a term or a regex. The same key must always mean the same test.</param>
    /// <param name="test">The test of one text part, given the key.</param>
    /// <returns><see langword="true"/> when a part passes.</returns>
    public bool AnyUserText(object key, Func<string, object, bool> test)
    {
        bool found = StableText(_memo, key, test);
        if (!found && _memo.HasVolatile)
        {
            var others = new TextSearch(key, test);
            _memo.Visit(0, stable: false, ref others);
            found = others.Found;
        }

        return found;
    }

    /// <summary>Where the conversation stands for the agent step facts, from the memo: the last user message that starts a turn and the assistant messages since.</summary>
    /// <param name="lastTurn">The index of the last user message that is not a tool result, or -1.</param>
    /// <param name="assistants">The number of assistant messages after it.</param>
    /// <returns>False when a message holds a mutable part (its role or parts may have changed unseen): scan the messages instead.</returns>
    public bool TryGetTurn(out int lastTurn, out int assistants)
    {
        (lastTurn, assistants) = (_memo.LastTurn, _memo.AssistantsSinceTurn);
        return !_memo.HasVolatile;
    }

    /// <summary>The memo whose result covers the messages before <paramref name="memo"/>'s own: its parent, or the earlier step's memo it was flattened from.</summary>
    private HistoryMemo? Base(HistoryMemo memo) =>
        memo.Parent ?? (ReferenceEquals(memo, _memo) && _previous is not null && !ReferenceEquals(_previous, _memo) ? _previous : null);

    // Each result is the base memo's (computed, and kept there, first: a step that branches from an older one still
    // finds it) plus what the memo's own messages add.
    private TextSignals StableSignals(HistoryMemo memo)
    {
        if (memo.Signals is { } kept)
        {
            return kept;
        }

        var sum = new SignalSum(new TextSignals(), memo.LastUser, fresh: false);
        int from = 0;

        // The base's sum holds when it weighed the same message fully (no new user turn since).
        if (Base(memo) is { } earlier && (earlier.LastUser == memo.LastUser || earlier.LastUser < 0))
        {
            sum.Total.Add(StableSignals(earlier));
            from = earlier.Length;
        }

        memo.Visit(from, stable: true, ref sum);
        memo.SetSignals(sum.Total);
        return memo.Signals!;
    }

    private int StableSum(HistoryMemo memo, SumSlot slot, Func<ChatMessage, int> count)
    {
        int kept = memo.GetSum(slot);
        if (kept >= 0)
        {
            return kept;
        }

        var sum = new IntSum(count);
        int from = 0;
        if (Base(memo) is { } earlier)
        {
            sum.Total = StableSum(earlier, slot, count);
            from = earlier.Length;
        }

        memo.Visit(from, stable: true, ref sum);
        memo.SetSum(slot, sum.Total);
        return sum.Total;
    }

    private bool StableText(HistoryMemo memo, object key, Func<string, object, bool> test)
    {
        if (memo.TryGetRule(key, out bool kept))
        {
            return kept;
        }

        var search = new TextSearch(key, test);
        int from = 0;
        if (Base(memo) is { } earlier)
        {
            search.Found = StableText(earlier, key, test);
            from = earlier.Length;
        }

        if (!search.Found)
        {
            memo.Visit(from, stable: true, ref search);
        }

        memo.SetRule(key, search.Found);
        return search.Found;
    }

    /// <summary>Whether a text part of <paramref name="message"/>, when it is a user message, passes <paramref name="test"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="key">The test's state.</param>
    /// <param name="test">The test.</param>
    /// <returns><see langword="true"/> when a part passes.</returns>
    public static bool UserText(ChatMessage message, object key, Func<string, object, bool> test)
    {
        if (message.Role != ChatRole.User)
        {
            return false;
        }

        foreach (AIContent content in message.Contents.Indexed())
        {
            if (content is TextContent { Text: { } text } && test(text, key))
            {
                return true;
            }
        }

        return false;
    }

    private struct SignalSum(TextSignals total, int lastUser, bool fresh) : HistoryMemo.IVisitor
    {
        public readonly TextSignals Total = total;

        public readonly void Visit(int index, ChatMessage message, HistoryMemo node, int slot)
        {
            float weight = index == lastUser ? 1f : RequestAnalyzer.EarlierTurnWeight;
            Total.Add(fresh ? MessageSignals.Read(message, weight) : node.SignalsOf(slot, message, weight));
        }
    }

    private struct IntSum(Func<ChatMessage, int> count) : HistoryMemo.IVisitor
    {
        public int Total;

        public void Visit(int index, ChatMessage message, HistoryMemo node, int slot) => Total += count(message);
    }

    private struct TextSearch(object key, Func<string, object, bool> test) : HistoryMemo.IVisitor
    {
        public bool Found;

        public void Visit(int index, ChatMessage message, HistoryMemo node, int slot) => Found = Found || UserText(message, key, test);
    }
}
