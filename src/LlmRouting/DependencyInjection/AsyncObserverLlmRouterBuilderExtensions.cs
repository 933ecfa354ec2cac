using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Configuration;

namespace LlmRouting;

/// <summary>Adds <see cref="IAsyncRouteObserver"/>s: told about every completed route in the background, never delaying or failing the caller.</summary>
public static class AsyncObserverLlmRouterBuilderExtensions
{
    /// <summary>Adds an asynchronous observer instance, with its own bounded queue.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="observer">The observer.</param>
    /// <param name="configure">Sets the queue's capacity, the per-call timeout and the drain at shutdown.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are out of range (checked when the router is built).</exception>
    public static LlmRouterBuilder AddAsyncObserver(this LlmRouterBuilder builder, IAsyncRouteObserver observer, Action<AsyncRouteObserverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        return builder.AddAsyncObserver(_ => observer, configure);
    }

    /// <summary>Adds an asynchronous observer resolved from the services (registered as a singleton if it is not registered yet).</summary>
    /// <typeparam name="TObserver">The observer type.</typeparam>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the queue's capacity, the per-call timeout and the drain at shutdown.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder AddAsyncObserver<TObserver>(this LlmRouterBuilder builder, Action<AsyncRouteObserverOptions>? configure = null)
        where TObserver : class, IAsyncRouteObserver
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TObserver>();
        return builder.AddAsyncObserver(static sp => sp.GetRequiredService<TObserver>(), configure);
    }

    /// <summary>Adds an asynchronous observer created once per router from the services, with its own bounded queue.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="factory">Creates the observer.</param>
    /// <param name="configure">Sets the queue's capacity, the per-call timeout and the drain at shutdown.</param>
    /// <returns>The builder.</returns>
    /// <remarks>The queue belongs to the services the router is built from and is drained when they are disposed (the router's own, for a router built without a container).</remarks>
    public static LlmRouterBuilder AddAsyncObserver(this LlmRouterBuilder builder, Func<IServiceProvider, IAsyncRouteObserver> factory, Action<AsyncRouteObserverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        var options = new AsyncRouteObserverOptions();
        configure?.Invoke(options);
        builder.ValidateOnBuild(options, nameof(AsyncRouteObserverOptions));

        // One queue per observer, owned (and drained on disposal) by the container; the key ties this registration to it.
        object key = new();
        builder.Services.AddKeyedSingleton(key, (sp, _) => new AsyncObserverQueue(
            factory(sp),
            options,
            sp.GetService<ILoggerFactory>()?.CreateLogger<IAsyncRouteObserver>() ?? NullLogger<IAsyncRouteObserver>.Instance));
        return builder.AddObserver(sp => sp.GetRequiredKeyedService<AsyncObserverQueue>(key));
    }
}
