namespace LlmRouting.Accounting;

/// <summary>Builds one <see cref="RouteAuditRecord"/> per completed route and hands it to every registered sink.</summary>
internal sealed class AuditRouteObserver(IEnumerable<IRouteAuditSink> sinks) : IRouteObserver
{
    private readonly IRouteAuditSink[] _sinks = [.. sinks];

    public void OnRouteCompleted(RouteInfo route)
    {
        if (_sinks.Length == 0)
        {
            return;
        }

        RouteAuditRecord record = RouteAuditRecord.From(route);
        foreach (IRouteAuditSink sink in _sinks)
        {
            sink.Write(record);
        }
    }
}
