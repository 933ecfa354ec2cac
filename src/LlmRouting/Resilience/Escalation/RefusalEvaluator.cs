using Microsoft.Extensions.AI;

namespace LlmRouting.Resilience;

/// <summary>Rejects answers that open with a refusal phrase (case-insensitive), e.g. "I'm sorry, but I can't".</summary>
public sealed class RefusalEvaluator : IResponseEvaluator
{
    private readonly string[] _phrases;
    private readonly int _window;

    /// <summary>Initializes a new instance of the <see cref="RefusalEvaluator"/> class.</summary>
    /// <param name="options">The escalation options holding the phrases and how far into the answer to look.</param>
    public RefusalEvaluator(EscalationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _phrases = [.. options.RefusalPhrases];
        _window = options.RefusalSearchLength;
    }

    /// <inheritdoc/>
    public string Name => "refusal";

    /// <inheritdoc/>
    public ValueTask<string?> EvaluateAsync(ChatResponse response, RoutingRequest request, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        string text = response.Text;
        ReadOnlySpan<char> opening = text.AsSpan().TrimStart();
        opening = opening[..Math.Min(opening.Length, _window)];
        foreach (string phrase in _phrases)
        {
            if (opening.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return new("refusal");
            }
        }

        return new((string?)null);
    }
}
