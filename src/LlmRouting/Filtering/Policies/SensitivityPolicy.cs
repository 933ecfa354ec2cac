using Microsoft.Extensions.AI;
using LlmRouting.Analysis;
using LlmRouting.Embeddings;

namespace LlmRouting.Filtering;

/// <summary>
/// The one predicate that decides whether a request is sensitive — personal data the analyzer found, a sensitive
/// request tag, a configured risk domain, or content the analyzer could not read — and which destinations may receive
/// a sensitive request's text. Every destination asks it: the candidate filter (primary, fallbacks, hedges,
/// escalations), stream continuation, the judge, embedding generators (routing and the semantic cache), and the
/// semantic cache's sharing across users.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="DataPolicyLlmRouterBuilderExtensions.UseDataPolicy"/> registers the configured policy in the
/// container; without one, <see cref="Default"/> applies (any personal data or the <c>sensitive</c> tag; no target
/// is allowed by tag, so sensitive requests never reach the judge or a remote embedder, while targets are not
/// filtered).
/// </para>
/// <para>A target is allowed when it carries an allowed tag; the built-in <see cref="LocalEmbeddingGenerator"/> is local and always allowed; any other destination only when declared so in its own options. Thread-safe and immutable.</para>
/// </remarks>
public sealed class SensitivityPolicy
{
    private readonly string[] _allowedTags;
    private readonly string[] _sensitiveTags;
    private readonly PiiKinds _piiKinds;
    private readonly RiskDomains _domains;
    private readonly bool _unreadIsSensitive;

    /// <summary>Initializes a new instance of the <see cref="SensitivityPolicy"/> class.</summary>
    /// <param name="options">What counts as sensitive and which target tags may receive it (the tags may be empty here: then no target is allowed by tag).</param>
    public SensitivityPolicy(DataPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allowedTags = [.. options.AllowedTargetTags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim())];
        _sensitiveTags = [.. options.SensitiveRequestTags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim())];
        _piiKinds = options.PiiKinds;
        _domains = options.Domains;
        _unreadIsSensitive = options.UnreadContentIsSensitive;
    }

    /// <summary>Gets the policy that applies when none is configured: every kind of personal data, the <c>sensitive</c> tag, unread content; no allowed target tag.</summary>
    public static SensitivityPolicy Default { get; } = new(new DataPolicyOptions());

    /// <summary>Gets the target tags that allow sensitive data.</summary>
    public IReadOnlyList<string> AllowedTargetTags => _allowedTags;

    /// <summary>Says why a request is sensitive (kinds only, never data), or <see langword="null"/> when it is not.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public string? Sensitivity(RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (string tag in _sensitiveTags)
        {
            if (request.HasTag(tag))
            {
                return $"request tagged {tag}";
            }
        }

        RequestAnalysis analysis = request.Analysis;
        PiiKinds pii = analysis.Pii & _piiKinds;
        if (pii != PiiKinds.None)
        {
            return $"personal data ({pii})";
        }

        RiskDomains domains = analysis.Domains & _domains;
        if (domains != RiskDomains.None)
        {
            return $"sensitive domain ({domains})";
        }

        return _unreadIsSensitive && analysis.UnreadParts > 0 ? "content that could not be read for personal data" : null;
    }

    /// <summary>Gets a value indicating whether a request is sensitive.</summary>
    /// <param name="request">The request.</param>
    /// <returns><see langword="true"/> when <see cref="Sensitivity"/> gives a reason.</returns>
    public bool IsSensitive(RoutingRequest request) => Sensitivity(request) is not null;

    /// <summary>Gets a value indicating whether a target may receive sensitive requests (it carries an allowed tag).</summary>
    /// <param name="target">The target.</param>
    /// <returns><see langword="true"/> when allowed.</returns>
    public bool IsAllowed(RouteTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (string tag in _allowedTags)
        {
            if (target.Profile.HasTag(tag))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets a value indicating whether an embedding generator may receive sensitive text: the built-in local one always, any other only when declared.</summary>
    /// <param name="generator">The generator.</param>
    /// <param name="declaredAllowed">Whether its owner declared it allowed (e.g. a model running in-process or on-premises).</param>
    /// <returns><see langword="true"/> when allowed.</returns>
    public static bool IsAllowed(IEmbeddingGenerator<string, Embedding<float>> generator, bool declaredAllowed)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return declaredAllowed || generator is LocalEmbeddingGenerator;
    }
}
