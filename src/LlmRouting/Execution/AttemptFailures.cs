namespace LlmRouting.Execution;

/// <summary>The one rule for how a failed call ends: cancelled when the caller asked for it, otherwise failed.</summary>
internal static class AttemptFailures
{
    /// <summary>Whether <paramref name="failure"/> is the caller's own cancellation (not a timeout, not a provider's).</summary>
    public static bool IsCallerCancellation(Exception failure, CancellationToken callerToken) =>
        failure is OperationCanceledException && callerToken.IsCancellationRequested;

    /// <summary>How a request that threw <paramref name="failure"/> ended.</summary>
    public static RouteOutcome RequestOutcome(Exception failure, CancellationToken callerToken) =>
        IsCallerCancellation(failure, callerToken) ? RouteOutcome.Canceled : RouteOutcome.Failed;

    /// <summary>How an attempt that threw <paramref name="failure"/> ended, and the error it records (a type name, never a message).</summary>
    /// <param name="failure">What the call threw.</param>
    /// <param name="callerToken">The caller's own token.</param>
    /// <param name="routerTimeouts">
    /// Whether the router enforces time limits (total budget, stream idle timeout): then a cancellation the caller did not
    /// ask for is recorded as <see cref="TimeoutException"/>.
    /// </param>
    public static (RouteAttemptOutcome Outcome, string Error) Classify(Exception failure, bool routerTimeouts, CancellationToken callerToken) =>
        IsCallerCancellation(failure, callerToken) ? (RouteAttemptOutcome.Canceled, failure.GetType().Name) :
        routerTimeouts && failure is OperationCanceledException ? (RouteAttemptOutcome.Failed, nameof(TimeoutException)) :
        (RouteAttemptOutcome.Failed, failure.GetType().Name);
}
