using Microsoft.Extensions.Logging;

namespace LlmRouting.Diagnostics;

/// <summary>Source-generated log messages of outcome feedback and the learning strategy. None carries prompt or response text.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Outcome {Score} recorded for route {RouteId} ({Target}, context {Context}).")]
    public static partial void OutcomeRecorded(ILogger logger, string routeId, string target, string context, double score);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Outcome reported for unknown route {RouteId}; ignored.")]
    public static partial void OutcomeForUnknownRoute(ILogger logger, string routeId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Outcome reported for expired route {RouteId}; ignored.")]
    public static partial void OutcomeForExpiredRoute(ILogger logger, string routeId);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Bandit chose {Target} for context {Context} ({Mode}, mean reward {Mean}, {Count} outcomes).")]
    public static partial void BanditChose(ILogger logger, string target, string context, string mode, double mean, long count);
}
