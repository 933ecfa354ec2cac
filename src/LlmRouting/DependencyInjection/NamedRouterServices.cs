using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmRouting;

/// <summary>
/// The services of one named router: what its extensions registered (ledger, health, budgets, metrics, evaluators …) in
/// its own provider, so two routers never share state; everything else — keyed provider clients, logging, time,
/// metrics, configuration, caches, an embedding generator — from the application's container.
/// </summary>
/// <remarks>
/// A type of this library (or of LlmRouting.Redis and LlmRouting.JsonSchema) and the router's options validators come from the router's own
/// services only: a named router never picks up another router's ledger, fallback options or validators.
/// </remarks>
internal sealed class NamedRouterServices : IServiceProvider, IKeyedServiceProvider, IServiceProviderIsKeyedService, IDisposable, IAsyncDisposable
{
    /// <summary>The shared infrastructure the router's own services are given from the application, when it has them.</summary>
    private static readonly Type[] Shared =
    [
        typeof(TimeProvider), typeof(ILoggerFactory), typeof(IMeterFactory), typeof(IConfiguration), typeof(IDistributedCache),
        typeof(IEmbeddingGenerator<string, Embedding<float>>),
    ];

    private readonly IServiceProvider _app;
    private readonly ServiceProvider _own;
    private readonly IServiceProviderIsService _ownServices;
    private readonly IServiceProviderIsService? _appServices;

    public NamedRouterServices(IServiceCollection own, IServiceProvider app)
    {
        _app = app;
        _appServices = app.GetService<IServiceProviderIsService>();
        var services = new ServiceCollection { own };
        foreach (Type type in Shared)
        {
            if (_appServices?.IsService(type) == true)
            {
                services.TryAdd(ServiceDescriptor.Singleton(type, _ => app.GetService(type)!));
            }
        }

        if (services.Any(d => d.ServiceType == typeof(ILoggerFactory)))
        {
            services.TryAdd(ServiceDescriptor.Singleton(typeof(ILogger<>), typeof(Logger<>)));
        }
        _own = services.BuildServiceProvider();
        _ownServices = _own.GetRequiredService<IServiceProviderIsService>();
    }

    public object? GetService(Type serviceType)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceType == typeof(IServiceProvider) || serviceType == typeof(IKeyedServiceProvider) || serviceType == typeof(IServiceProviderIsService) || serviceType == typeof(IServiceProviderIsKeyedService))
        {
            return this;
        }

        return Own(serviceType) ? _own.GetService(serviceType) : _app.GetService(serviceType);
    }

    public object? GetKeyedService(Type serviceType, object? serviceKey) =>
        (_ownServices as IServiceProviderIsKeyedService)?.IsKeyedService(serviceType, serviceKey) == true
            ? _own.GetKeyedService(serviceType, serviceKey)
            : (_app as IKeyedServiceProvider)?.GetKeyedService(serviceType, serviceKey);

    public object GetRequiredKeyedService(Type serviceType, object? serviceKey) =>
        GetKeyedService(serviceType, serviceKey) ?? throw new InvalidOperationException($"No service for type '{serviceType}' with key '{serviceKey}' has been registered.");

    public bool IsService(Type serviceType) => Own(serviceType) || _appServices?.IsService(serviceType) == true;

    public bool IsKeyedService(Type serviceType, object? serviceKey) =>
        (_ownServices as IServiceProviderIsKeyedService)?.IsKeyedService(serviceType, serviceKey) == true
        || (_appServices as IServiceProviderIsKeyedService)?.IsKeyedService(serviceType, serviceKey) == true;

    public void Dispose() => _own.Dispose();

    public ValueTask DisposeAsync() => _own.DisposeAsync();

    /// <summary>A type of this library or its companion packages (ledgers, stores, options, internal plumbing).</summary>
    private static bool IsLibraryType(Type type) =>
        type.Assembly == typeof(NamedRouterServices).Assembly || type.Assembly.GetName().Name is "LlmRouting.Redis" or "LlmRouting.JsonSchema";

    /// <summary>Whether the router's own services answer <paramref name="serviceType"/>: what they register, and always this library's types and the router's validators.</summary>
    private bool Own(Type serviceType)
    {
        Type element = serviceType.IsGenericType && serviceType.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? serviceType.GetGenericArguments()[0] : serviceType;
        return IsLibraryType(element)
            || element == typeof(IValidateOptions<Configuration.LlmRoutingOptions>)
            || _ownServices.IsService(element);
    }
}
