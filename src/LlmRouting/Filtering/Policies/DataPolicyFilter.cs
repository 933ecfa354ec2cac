namespace LlmRouting.Filtering;

/// <summary>
/// Keeps sensitive requests — personal data found by the analyzer, a sensitive request tag, or a configured
/// domain — on targets that carry an allowed tag (e.g. <c>on-prem</c>, <c>eu</c>).
/// </summary>
/// <remarks>
/// A candidate filter, so it binds every strategy, rule and fallback: a sensitive request never reaches a
/// disallowed target. When no allowed target can serve, the request fails with
/// <see cref="NoRouteAvailableException"/> (fail closed). Rejection reasons name data kinds, never data.
/// </remarks>
public sealed class DataPolicyFilter : IRouteCandidateFilter
{
    private readonly SensitivityPolicy _policy;
    private readonly string _needs;

    /// <summary>Initializes a new instance of the <see cref="DataPolicyFilter"/> class.</summary>
    /// <param name="options">The policy.</param>
    /// <exception cref="ArgumentException">No allowed target tag is configured.</exception>
    public DataPolicyFilter(DataPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.AllowedTargetTags.Count == 0 || options.AllowedTargetTags.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("DataPolicyOptions.AllowedTargetTags must name at least one non-empty target tag (e.g. \"on-prem\").", nameof(options));
        }

        _policy = new SensitivityPolicy(options);
        _needs = $"needs a target tagged {string.Join(" or ", _policy.AllowedTargetTags)}";
    }

    /// <summary>The filter's name, on every <see cref="CandidateRejection"/> it makes.</summary>
    internal const string FilterName = "data-policy";

    /// <inheritdoc/>
    public string Name => FilterName;

    /// <summary>Gets the allowed target tags.</summary>
    public IReadOnlyList<string> AllowedTargetTags => _policy.AllowedTargetTags;

    /// <summary>Gets the sensitivity predicate this filter applies (the same one the judge, embedders, caches and continuation ask).</summary>
    public SensitivityPolicy Policy => _policy;

    /// <inheritdoc/>
    public bool IsAllowed(RoutingRequest request, RouteTarget target, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        if (_policy.IsAllowed(target))
        {
            reason = null;
            return true;
        }

        string? why = _policy.Sensitivity(request);
        reason = why is null ? null : $"{why}: {_needs}";
        return why is null;
    }

    /// <summary>Says why a request is sensitive (kinds only), or <see langword="null"/> when it is not.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public string? Sensitivity(RoutingRequest request) => _policy.Sensitivity(request);
}
