using LlmRouting.Configuration;

namespace LlmRouting;

/// <summary>A strategy registered on the builder under a name that <see cref="LlmRoutingOptions.Strategies"/> can list.</summary>
/// <remarks>The factory runs when the router is built and again on each configuration reload.</remarks>
internal sealed class RoutingStrategyRegistration
{
    public RoutingStrategyRegistration(string name, Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> factory, string? origin = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Name = name;
        Factory = factory;
        Origin = origin;
    }

    /// <summary>Gets the strategy name.</summary>
    public string Name { get; }

    /// <summary>Gets the factory.</summary>
    public Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> Factory { get; }

    /// <summary>Gets the call that registered it (e.g. <c>UseCostAware</c>), for messages; <see langword="null"/> for <c>UseStrategy</c>/<c>RegisterStrategy</c>.</summary>
    public string? Origin { get; }
}
