using Microsoft.Extensions.Logging;
using LlmRouting.Analysis;
using LlmRouting.Telemetry;

namespace LlmRouting;

/// <summary>Optional settings for a <see cref="LlmRouterChatClient"/> built without dependency injection.</summary>
public sealed class LlmRouterChatClientOptions
{
    /// <summary>Gets filters applied after the built-in capability and context-window filters.</summary>
    public IList<IRouteCandidateFilter> Filters { get; } = [];

    /// <summary>Gets observers told about every routed request once it has ended.</summary>
    public IList<IRouteObserver> Observers { get; } = [];

    /// <summary>Gets or sets the target that savings are measured against (typically the premium model).</summary>
    /// <value>The default is <see langword="null"/>: no savings figure.</value>
    public string? Baseline { get; set; }

    /// <summary>Gets or sets what the router does with a caller's <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/>.</summary>
    /// <value>The default is <see cref="CallerModelIdMode.Pin"/>.</value>
    public CallerModelIdMode CallerModelIds { get; set; }

    /// <summary>Gets or sets the time provider.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the logger factory.</summary>
    /// <value>The default is <see langword="null"/>: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets the request analyzer behind <see cref="RoutingRequest.Analysis"/>.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="RequestAnalyzer.Default"/>.</value>
    public IRequestAnalyzer? Analyzer { get; set; }

    /// <summary>Gets or sets a value indicating whether the router records spans and metrics (see <see cref="LlmRoutingTelemetry"/>).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool EnableTelemetry { get; set; }

    /// <summary>Gets or sets a value indicating whether disposing the router leaves the targets' clients open.</summary>
    /// <value>The default is <see langword="false"/>: the router owns the clients it was given.</value>
    public bool LeaveOpen { get; set; }
}
