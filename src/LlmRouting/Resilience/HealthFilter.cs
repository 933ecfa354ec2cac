using System.Globalization;

namespace LlmRouting.Resilience;

/// <summary>Removes targets whose circuit is open; when every target's circuit is open, lets all through ("panic").</summary>
internal sealed class HealthFilter : IRouteCandidateFilter
{
    private readonly TargetHealthMonitor _monitor;

    /// <summary>Initializes a new instance of the <see cref="HealthFilter"/> class.</summary>
    /// <param name="monitor">The health monitor.</param>
    public HealthFilter(TargetHealthMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        _monitor = monitor;
    }

    /// <inheritdoc/>
    public string Name => "health";

    /// <inheritdoc/>
    public bool IsAllowed(RoutingRequest request, RouteTarget target, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_monitor.IsAvailable(target.Name) || (_monitor.Options.PanicWhenAllUnhealthy && _monitor.AllUnavailable()))
        {
            reason = null;
            return true;
        }

        TargetHealth health = _monitor.GetHealth(target.Name);

        reason = health.OpenUntil is { } until
            ? string.Create(CultureInfo.InvariantCulture, $"circuit {health.State} until {until:O}")
            : $"circuit {health.State}";
        return false;
    }
}
