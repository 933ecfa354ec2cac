using LlmRouting.Filtering;

namespace LlmRouting.Strategies;

/// <summary>The hybrid pipeline's guardrail stage: the data-policy filter when allowed target tags are configured, otherwise no restriction.</summary>
internal sealed class HybridDataPolicyFilter : IRouteCandidateFilter
{
    private readonly DataPolicyFilter? _policy;

    public HybridDataPolicyFilter(DataPolicyFilter? policy)
    {
        _policy = policy;
    }

    public string Name => _policy?.Name ?? DataPolicyFilter.FilterName;

    public bool IsAllowed(RoutingRequest request, RouteTarget target, out string? reason)
    {
        if (_policy is null)
        {
            reason = null;
            return true;
        }

        return _policy.IsAllowed(request, target, out reason);
    }
}
