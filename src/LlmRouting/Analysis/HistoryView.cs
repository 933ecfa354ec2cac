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
    private readonly int _prefix;

    private HistoryView(IReadOnlyList<ChatMessage> messages)
    {
        _messages = messages;
        _memo = HistoryMemo.For(messages, out _previous, out _prefix);
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
        TextSignals? stable = _memo.Signals;
        if (stable is null)
        {
            var sum = new SignalSum(new TextSignals(), _memo.LastUser, fresh: false);
            int from = 0;

            // The earlier step's sum holds when it weighed the same message fully (no new user turn since).
            if (_previous is { Signals: { } earlier } && (_previous.LastUser == _memo.LastUser || _previous.LastUser < 0))
            {
                sum.Total.Add(earlier);
                from = _prefix;
            }

            _memo.Visit(from, stable: true, ref sum);
            _memo.SetSignals(sum.Total);
            stable = _memo.Signals!;
        }

        total.Add(stable);
        if (_memo.HasVolatile)
        {
            var others = new SignalSum(total, _memo.LastUser, fresh: true);
            _memo.Visit(0, stable: false, ref others);
        }
    }

    /// <summary>The token estimate of the messages: the stable ones' kept sum plus each other message estimated afresh.</summary>
    /// <param name="estimate">The estimate of one message, framing included.</param>
    /// <returns>The estimate.</returns>
    public int Tokens(Func<ChatMessage, int> estimate)
    {
        int stable = _memo.Tokens;
        if (stable < 0)
        {
            var sum = new TokenSum(estimate);
            int from = 0;
            if (_previous is { Tokens: >= 0 } previous)
            {
                sum.Total = previous.Tokens;
                from = _prefix;
            }

            _memo.Visit(from, stable: true, ref sum);
            _memo.SetTokens(sum.Total);
            stable = sum.Total;
        }

        var others = new TokenSum(estimate) { Total = stable };
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
        if (!_memo.TryGetRule(key, out bool found))
        {
            var search = new TextSearch(key, test);
            int from = 0;
            if (_previous is not null && _previous.TryGetRule(key, out bool earlier))
            {
                search.Found = earlier;
                from = _prefix;
            }

            if (!search.Found)
            {
                _memo.Visit(from, stable: true, ref search);
            }

            found = search.Found;
            _memo.SetRule(key, found);
        }

        if (!found && _memo.HasVolatile)
        {
            var others = new TextSearch(key, test);
            _memo.Visit(0, stable: false, ref others);
            found = others.Found;
        }

        return found;
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

        foreach (AIContent content in message.Contents)
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

        public readonly void Visit(int index, ChatMessage message)
        {
            float weight = index == lastUser ? 1f : RequestAnalyzer.EarlierTurnWeight;
            Total.Add(fresh ? MessageSignals.Read(message, weight) : MessageSignals.Of(message, weight));
        }
    }

    private struct TokenSum(Func<ChatMessage, int> estimate) : HistoryMemo.IVisitor
    {
        public int Total;

        public void Visit(int index, ChatMessage message) => Total += estimate(message);
    }

    private struct TextSearch(object key, Func<string, object, bool> test) : HistoryMemo.IVisitor
    {
        public bool Found;

        public void Visit(int index, ChatMessage message) => Found = Found || UserText(message, key, test);
    }
}
