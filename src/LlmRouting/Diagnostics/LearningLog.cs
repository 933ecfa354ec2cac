using Microsoft.Extensions.Logging;

namespace LlmRouting.Diagnostics;

/// <summary>Labels, quality audits and the adaptive learner (events 4010–4039); never prompt or answer text.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "A {Source} label could not be stored; the request is unaffected.")]
    public static partial void LabelFailed(ILogger logger, Exception exception, Learning.RoutingLabelSource source);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Debug, Message = "Audit of route {RouteId} ({Target} against {Reference}): {Verdict}.")]
    public static partial void AuditCompleted(ILogger logger, string routeId, string target, string reference, Audits.AuditVerdict verdict);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "Audit of route {RouteId} against {Reference} failed with {ErrorType}; no label recorded.")]
    public static partial void AuditFailed(ILogger logger, string routeId, string reference, string errorType);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Information, Message = "Audit queue full: route {RouteId} not audited (dropped).")]
    public static partial void AuditDropped(ILogger logger, string routeId);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Information, Message = "Adaptive model {Previous} replaced by {Current} ({Labels} labels).")]
    public static partial void AdaptiveModelSwapped(ILogger logger, string previous, string current, double labels);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Warning, Message = "Adaptive learner refresh failed with {ErrorType}; the current model stays in force.")]
    public static partial void AdaptiveRefreshFailed(ILogger logger, Exception exception, string errorType);
}
