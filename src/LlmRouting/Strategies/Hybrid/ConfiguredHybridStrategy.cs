namespace LlmRouting.Strategies;

/// <summary>
/// The hybrid stages as one strategy, for a router configured without code (<c>"Strategies": [ "rules", "hybrid" ]</c>):
/// the classifier (when a <c>Classifier</c> section exists and <c>Hybrid:PreferClassifier</c>) or else the embedding
/// routes, then the judge (when <c>Hybrid:Judge</c>), then the cost-aware strategy (unless <c>Hybrid:CostAware</c> is off).
/// </summary>
/// <remarks>The first stage that decides wins and is named in the decision; the data policy needs code (<c>UseHybridRouting</c>). Thread-safe.</remarks>
public sealed class ConfiguredHybridStrategy : IRoutingStrategy
{
    /// <summary>The strategy's name in <c>LlmRouting:Strategies</c>.</summary>
    internal const string StrategyName = "hybrid";

    private readonly IRoutingStrategy[] _stages;

    /// <summary>Initializes a new instance of the <see cref="ConfiguredHybridStrategy"/> class.</summary>
    /// <param name="stages">The stages, in order.</param>
    /// <exception cref="ArgumentException">No stage is given.</exception>
    public ConfiguredHybridStrategy(IEnumerable<IRoutingStrategy> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        _stages = [.. stages];
        if (_stages.Length == 0)
        {
            throw new ArgumentException("The hybrid strategy needs at least one stage.", nameof(stages));
        }
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <summary>Gets the stages, in order.</summary>
    public IReadOnlyList<IRoutingStrategy> Stages => _stages;

    /// <inheritdoc/>
    public async ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        foreach (IRoutingStrategy stage in _stages)
        {
            if (await stage.DecideAsync(request, candidates, cancellationToken).ConfigureAwait(false) is { } decision)
            {
                return decision;
            }
        }

        return null;
    }
}
