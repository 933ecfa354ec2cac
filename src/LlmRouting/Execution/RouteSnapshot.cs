using Microsoft.Extensions.AI;

namespace LlmRouting.Execution;

/// <summary>What a request's execution has done so far: the part of <see cref="RouteInfo"/> that changes while it runs.</summary>
/// <remarks>Immutable: <see cref="RouteExecution"/> builds one when the request ends, and <see cref="RouteInfo"/> keeps it.</remarks>
internal sealed record RouteSnapshot
{
    public required RouteTarget ServedBy { get; init; }

    public IReadOnlyList<RouteAttempt> Attempts { get; init; } = [];

    public UsageDetails? Usage { get; init; }

    public decimal? Cost { get; init; }

    public decimal? BaselineCost { get; init; }

    public bool IsCostEstimated { get; init; }

    public bool IsEscalated { get; init; }

    public bool IsSpliced { get; init; }

    public bool IsCacheHit { get; init; }

    public double? CacheSimilarity { get; init; }

    public RouteOutcome Outcome { get; init; }

    public TimeSpan? Duration { get; init; }
}
