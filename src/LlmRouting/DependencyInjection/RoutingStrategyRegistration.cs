namespace LlmRouting;

/// <summary>Makes a strategy available to the router under a name that <see cref="LlmRoutingOptions.Strategies"/> can list.</summary>
/// <remarks>Register instances as singletons; the factory runs at start-up and again on each configuration reload.</remarks>
public sealed class RoutingStrategyRegistration
{
    /// <summary>Initializes a new instance of the <see cref="RoutingStrategyRegistration"/> class.</summary>
    /// <param name="name">The strategy name (case-insensitive), e.g. <c>classifier</c>.</param>
    /// <param name="factory">Creates the strategy from the services and the current options.</param>
    public RoutingStrategyRegistration(string name, Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Name = name;
        Factory = factory;
    }

    /// <summary>Gets the strategy name.</summary>
    public string Name { get; }

    /// <summary>Gets the factory.</summary>
    public Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> Factory { get; }
}
