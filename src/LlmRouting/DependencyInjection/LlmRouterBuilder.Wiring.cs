using Microsoft.Extensions.Configuration;
using LlmRouting.Configuration;

namespace LlmRouting;

// The wiring helpers extensions use on LlmRouterBuilder: each records a mistake (a name, stage, filter or executor added twice) as a wiring error that fails Build naming both origins.
public sealed partial class LlmRouterBuilder
{
    /// <summary>Registers a strategy on behalf of <paramref name="origin"/> (named in the duplicate message).</summary>
    internal LlmRouterBuilder RegisterStrategy(string name, Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> factory, string? origin)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        RoutingStrategyRegistration? existing = Strategies.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
        if (existing is not null)
        {
            WiringErrors.Add($"Strategy '{name}' is registered twice ({existing.Origin ?? "UseStrategy/RegisterStrategy"}, then {origin ?? "UseStrategy/RegisterStrategy"}); strategy names must be unique. A stage of UseHybridRouting is configured there (e.g. h.CostAware(…)), not added again on its own.");
            return this;
        }

        Strategies.Add(new RoutingStrategyRegistration(name, factory, origin));
        return this;
    }

    /// <summary>Registers a strategy on behalf of <paramref name="origin"/> and appends it to the chain.</summary>
    internal LlmRouterBuilder UseStrategy(string name, Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> factory, string? origin)
    {
        RegisterStrategy(name, factory, origin);
        return Chain(name);
    }

    /// <summary>Appends a registered strategy name to the code's chain (once).</summary>
    internal LlmRouterBuilder Chain(string name)
    {
        if (!ChainedStrategies.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            ChainedStrategies.Add(name);
        }

        return this;
    }

    /// <summary>Adds a filter under <paramref name="key"/>; a second filter with the same key is a wiring error naming both origins.</summary>
    internal LlmRouterBuilder AddFilter(string key, string origin, Func<IServiceProvider, IRouteCandidateFilter> factory)
    {
        if (Filters.FirstOrDefault(f => Equals(f.Key, key)) is { } existing)
        {
            WiringErrors.Add($"Filter '{key}' is added twice ({existing.Origin}, then {origin}); add it once.");
            return this;
        }

        Filters.Add(new(key, factory, origin));
        return this;
    }

    /// <summary>Sets the executor; a second one is a wiring error.</summary>
    internal LlmRouterBuilder UseExecutor(string origin, Func<IServiceProvider, RouteExecutor> factory)
    {
        if (Executor is not null)
        {
            WiringErrors.Add($"{origin} sets the executor, which {_executorOrigin} already set; a router has one executor.");
            return this;
        }

        (Executor, _executorOrigin) = (factory, origin);
        return this;
    }

    /// <summary>Records that <paramref name="stage"/> (e.g. <c>UseFallback</c>) was added; adding it again is a wiring error.</summary>
    /// <returns><see langword="true"/> the first time.</returns>
    internal bool RegisterStage(string stage)
    {
        if (!_stages.TryAdd(stage, stage))
        {
            WiringErrors.Add($"{stage}(…) is called twice on this router; configure it in one call.");
            return false;
        }

        return true;
    }

    /// <summary>Claims the sub-section <paramref name="key"/> of the bound section for an extension that reads it as <typeparamref name="T"/>, and checks it strictly at start-up.</summary>
    internal LlmRouterBuilder ClaimSection<T>(string key)
        where T : class, new()
    {
        if (ClaimedSections.Add(key))
        {
            Validators.Add((sp, _) => ConfigurationValues.Check<T>(RouterFactory.ResolveSection(this, sp)?.GetSection(key)));
        }

        return this;
    }

    /// <summary>Gets the sub-section <paramref name="key"/> of the section this builder binds from, or <see langword="null"/>.</summary>
    internal IConfigurationSection? SectionOf(IServiceProvider services, string key) => RouterFactory.ResolveSection(this, services)?.GetSection(key);

    /// <summary>Gets a value indicating whether <paramref name="stage"/> was added.</summary>
    internal bool HasStage(string stage) => _stages.ContainsKey(stage);

    /// <summary>Validates <paramref name="options"/> (an extension's options, configured in code) when the router is built, with <see cref="OptionsValidation"/>; each failure is prefixed with <paramref name="path"/>.</summary>
    internal LlmRouterBuilder ValidateOnBuild(object options, string path)
    {
        Validators.Add((_, _) => OptionsValidation.Validate(options, path));
        return this;
    }
}
