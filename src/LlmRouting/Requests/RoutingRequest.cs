using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using LlmRouting.Analysis;
using LlmRouting.Configuration;

namespace LlmRouting;

/// <summary>The request as strategies and filters see it: messages, options and features computed once, lazily.</summary>
/// <remarks>
/// Nothing here calls a model or the network. Each feature is computed on first use and cached, so a
/// strategy chain that never asks for the user text never builds it. An instance belongs to one request
/// and is not meant to be shared across threads while it is being routed.
/// </remarks>
public sealed partial class RoutingRequest
{
    private static readonly string[] NoTags = [];

    private string? _userText;
    private string? _lastUserText;
    private int _estimatedInputTokens = -1;
    private ModelCapabilities? _requiredCapabilities;
    private int _imageCount = -1;
    private IReadOnlyList<string>? _tags;
    private readonly IRequestAnalyzer _analyzer;
    private RequestAnalysis? _analysis;

    /// <summary>Initializes a new instance of the <see cref="RoutingRequest"/> class.</summary>
    /// <param name="messages">The conversation to route.</param>
    /// <param name="options">The request options, if any.</param>
    /// <param name="analyzer">The analyzer behind <see cref="Analysis"/>; the default is <see cref="RequestAnalyzer.Default"/>.</param>
    /// <exception cref="ArgumentException">
    /// The conversation is empty, a message or a content item is null, an option is out of range (a non-positive
    /// <see cref="ChatOptions.MaxOutputTokens"/>, a <see cref="ChatOptions.Temperature"/> that is not finite, …), or the
    /// tenant or user metadata is an object whose text form cannot tell two of them apart.
    /// </exception>
    public RoutingRequest(IEnumerable<ChatMessage> messages, ChatOptions? options = null, IRequestAnalyzer? analyzer = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Messages = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        RequestValidation.Validate(Messages, options);
        Options = options;
        _analyzer = analyzer ?? RequestAnalyzer.Default;
    }

    /// <summary>The same request (options, analyzer) over another conversation, e.g. the continuation of a broken stream with its partial answer.</summary>
    /// <param name="messages">The conversation.</param>
    /// <returns>A new request; its analysis is computed anew.</returns>
    internal RoutingRequest WithMessages(IEnumerable<ChatMessage> messages) => new(messages, Options, _analyzer);

    /// <summary>Initializes a new instance of the <see cref="RoutingRequest"/> class with a single user message.</summary>
    /// <param name="userText">The user's message.</param>
    /// <param name="options">The request options, if any.</param>
    /// <param name="analyzer">The analyzer behind <see cref="Analysis"/>; the default is <see cref="RequestAnalyzer.Default"/>.</param>
    public RoutingRequest(string userText, ChatOptions? options = null, IRequestAnalyzer? analyzer = null)
        : this([new ChatMessage(ChatRole.User, userText)], options, analyzer)
    {
    }

    /// <summary>Gets the local analysis of the request — task, complexity, risk, personal data — computed on first use, once.</summary>
    public RequestAnalysis Analysis => _analysis ??= _analyzer.Analyze(this);

    /// <summary>Gets the conversation.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets the request options (the router's per-request clone), if any.</summary>
    public ChatOptions? Options { get; }

    /// <summary>Gets the number of messages in the conversation.</summary>
    public int MessageCount => Messages.Count;

    /// <summary>Gets the text of every user message, joined by new lines.</summary>
    /// <remarks>When the conversation holds a single user text, that string is returned without a copy.</remarks>
    public string UserText => _userText ??= JoinText(Messages, lastOnly: false);

    /// <summary>Gets the text of the latest user message.</summary>
    public string LastUserText => _lastUserText ??= JoinText(Messages, lastOnly: true);

    /// <summary>Gets the estimated number of input tokens for the whole conversation, images included.</summary>
    public int EstimatedInputTokens
    {
        get
        {
            if (_estimatedInputTokens < 0)
            {
                _estimatedInputTokens = EstimateTokens();
            }

            return _estimatedInputTokens;
        }
    }

    /// <summary>Gets the requested maximum output tokens, if the caller set one.</summary>
    public int? MaxOutputTokens => Options?.MaxOutputTokens;

    /// <summary>Gets the number of images in the conversation.</summary>
    public int ImageCount
    {
        get
        {
            if (_imageCount < 0)
            {
                _imageCount = CountImages();
            }

            return _imageCount;
        }
    }

    /// <summary>Gets a value indicating whether the request offers tools to the model.</summary>
    public bool HasTools => Options?.Tools is { Count: > 0 };

    /// <summary>Gets the response format the caller asked for, if any.</summary>
    public ChatResponseFormat? ResponseFormat => Options?.ResponseFormat;

    /// <summary>Gets the capabilities a target needs to serve this request.</summary>
    public ModelCapabilities RequiredCapabilities => _requiredCapabilities ??= ComputeCapabilities();

    /// <summary>Gets the tenant from the request metadata, if any.</summary>
    public string? Tenant => Metadata(RequestMetadataKeys.Tenant);

    /// <summary>Gets the user from the request metadata, if any.</summary>
    public string? User => Metadata(RequestMetadataKeys.User);

    /// <summary>Gets the tags from the request metadata (a comma-separated string or a sequence of strings).</summary>
    public IReadOnlyList<string> Tags => _tags ??= ReadTags();

    /// <summary>Reads a metadata value from <see cref="ChatOptions.AdditionalProperties"/>.</summary>
    /// <param name="key">The metadata key, e.g. <c>tier</c>.</param>
    /// <returns>The value as a string, or <see langword="null"/> when absent.</returns>
    public string? Metadata(string key)
    {
        if (Options?.AdditionalProperties is { } props && props.TryGetValue(key, out object? value) && value is not null)
        {
            return value as string ?? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return null;
    }

    /// <summary>Gets a value indicating whether the request carries <paramref name="tag"/> (case-insensitive).</summary>
    /// <param name="tag">The tag.</param>
    /// <returns><see langword="true"/> if the tag is present.</returns>
    public bool HasTag(string tag)
    {
        foreach (string t in Tags)
        {
            if (string.Equals(t, tag, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets a value indicating whether any user message contains any of <paramref name="terms"/> (ordinal, case-insensitive).</summary>
    /// <param name="terms">The terms to look for.</param>
    /// <returns><see langword="true"/> if one term occurs.</returns>
    public bool ContainsAny(params ReadOnlySpan<string> terms)
    {
        foreach (string term in terms)
        {
            if (UserTextContains(term))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets a value indicating whether any user message contains any of the precompiled <paramref name="terms"/>, in one vectorised pass.</summary>
    /// <param name="terms">Terms compiled with <see cref="SearchValues.Create(ReadOnlySpan{string}, StringComparison)"/> (use <see cref="StringComparison.OrdinalIgnoreCase"/>).</param>
    /// <returns><see langword="true"/> if one term occurs.</returns>
    /// <remarks>Rules built from <see cref="RuleOptions.ContainsAny"/> use this; prefer it over the string overload in hot custom predicates.</remarks>
    public bool ContainsAny(SearchValues<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (History is { } history)
        {
            return history.AnyUserText(terms, static (text, key) => text.AsSpan().ContainsAny((SearchValues<string>)key));
        }

        for (int m = 0; m < Messages.Count; m++)
        {
            ChatMessage message = Messages[m];
            if (message.Role != ChatRole.User)
            {
                continue;
            }

            foreach (AIContent content in message.Contents.Indexed())
            {
                if (content is TextContent { Text: { } text } && text.AsSpan().ContainsAny(terms))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Gets a value indicating whether the user messages contain all of <paramref name="terms"/> (ordinal, case-insensitive).</summary>
    /// <param name="terms">The terms to look for.</param>
    /// <returns><see langword="true"/> if every term occurs.</returns>
    public bool ContainsAll(params ReadOnlySpan<string> terms)
    {
        foreach (string term in terms)
        {
            if (!UserTextContains(term))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Gets a value indicating whether <paramref name="regex"/> matches the text of a user message.</summary>
    /// <param name="regex">The expression; give it a match timeout (a rule's regex condition has one, <see cref="RuleOptions.RegexTimeout"/>).</param>
    /// <returns><see langword="true"/> on a match.</returns>
    /// <remarks>
    /// Each text part of each user message is matched on its own (a pattern does not span two messages, and <c>^</c> and
    /// <c>$</c> anchor to a message's text), so an agent's later steps re-use the result for the unchanged messages.
    /// </remarks>
    /// <exception cref="RegexMatchTimeoutException">The expression ran past its timeout.</exception>
    public bool Matches(Regex regex)
    {
        ArgumentNullException.ThrowIfNull(regex);
        if (History is { } history)
        {
            return history.AnyUserText(regex, static (text, key) => ((Regex)key).IsMatch(text));
        }

        for (int m = 0; m < Messages.Count; m++)
        {
            ChatMessage message = Messages[m];
            if (HistoryView.UserText(message, regex, static (text, key) => ((Regex)key).IsMatch(text)))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"RoutingRequest(messages: {MessageCount}, tokens≈{EstimatedInputTokens}, needs: {RequiredCapabilities})";

    private bool UserTextContains(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        if (History is { } history)
        {
            return history.AnyUserText(term, static (text, key) => text.Contains((string)key, StringComparison.OrdinalIgnoreCase));
        }

        // Scan each text part in place rather than concatenating the conversation.
        for (int m = 0; m < Messages.Count; m++)
        {
            ChatMessage message = Messages[m];
            if (message.Role != ChatRole.User)
            {
                continue;
            }

            foreach (AIContent content in message.Contents.Indexed())
            {
                if (content is TextContent { Text: { } text } && text.Contains(term, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
