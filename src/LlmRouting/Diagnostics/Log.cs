using Microsoft.Extensions.Logging;

namespace LlmRouting.Diagnostics;

/// <summary>Source-generated log messages of the router. None of them carries prompt or response text.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Routed request {RouteId} to {Target} by {Strategy}: {Reason}. Candidates: {CandidateCount}, rejected: {RejectedCount}.")]
    public static partial void Routed(ILogger logger, string routeId, string target, string strategy, string reason, int candidateCount, int rejectedCount);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "No target can serve a request: {Rejections}.")]
    public static partial void NoRoute(ILogger logger, string rejections);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Strategy {Strategy} abstained.")]
    public static partial void Abstained(ILogger logger, string strategy);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Route observer {Observer} threw; the request is unaffected.")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string observer);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Router configuration reloaded: {TargetCount} targets, {StrategyCount} strategies.")]
    public static partial void Reloaded(ILogger logger, int targetCount, int strategyCount);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Router configuration reload rejected; the previous configuration stays in force.")]
    public static partial void ReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Request {RouteId} to {Target} failed with {ErrorType} after {Attempts} attempt(s).")]
    public static partial void RouteFailed(ILogger logger, string routeId, string target, string errorType, int attempts);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "A request's ChatOptions.ModelId names no target and no target's model; it is replaced by the serving target's own model id, so the request is priced at that target's prices (logged once per configuration; set CallerModelIds to Ignore to silence).")]
    public static partial void UnknownCallerModelId(ILogger logger);
}
