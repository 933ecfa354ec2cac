using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Accounting;

namespace LlmRouting;

/// <summary>Adds an audit trail to the router: one content-free record per request.</summary>
public static class AuditLlmRouterBuilderExtensions
{
    /// <summary>Sends an audit record of every request to <paramref name="sink"/>.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="sink">The sink (the caller owns it and disposes it).</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseAudit(this LlmRouterBuilder builder, IRouteAuditSink sink)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sink);
        builder.Services.AddSingleton(sink);
        return builder.AddObserver<AuditRouteObserver>();
    }

    /// <summary>Sends an audit record of every request to a sink created from the container (and disposed with it).</summary>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <param name="builder">The router builder.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseAudit<TSink>(this LlmRouterBuilder builder)
        where TSink : class, IRouteAuditSink
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteAuditSink, TSink>());
        return builder.AddObserver<AuditRouteObserver>();
    }

    /// <summary>Appends an audit record of every request to a JSON Lines file; the container flushes and closes it when disposed.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="path">The file to append to.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static LlmRouterBuilder UseJsonLinesAudit(this LlmRouterBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Services.AddSingleton<IRouteAuditSink>(_ => new JsonLinesRouteAuditSink(path));
        return builder.AddObserver<AuditRouteObserver>();
    }
}
