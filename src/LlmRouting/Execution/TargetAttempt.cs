using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace LlmRouting.Execution;

/// <summary>
/// One call to one target while serving a request (<see cref="RouteExecution.Begin"/>). It ends exactly once — succeeded,
/// failed, cancelled, abandoned, rejected or superseded — and is charged its reported usage or, when it produced output
/// without reporting usage, an estimate (the request's estimated input tokens plus the tokens of the text it produced).
/// </summary>
internal sealed class TargetAttempt
{
    private readonly RouteExecution _execution;
    private readonly long _start;
    private StreamUsage? _stream;
    private decimal? _cost;
    private bool _estimated;
    private TimeSpan? _answered;
    private int _ended;
    private bool _cacheHit;

    internal TargetAttempt(RouteExecution execution, RouteTarget target)
    {
        _execution = execution;
        Target = target;
        _start = Stopwatch.GetTimestamp();
    }

    public RouteTarget Target { get; }

    /// <summary>Gets how long the attempt has run.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>Gets a value indicating whether a streamed update has been observed.</summary>
    public bool HasOutput => _stream?.HasOutput ?? false;

    /// <summary>Gets the time to the first streamed update, once there was one.</summary>
    public TimeSpan? TimeToFirstToken => _stream?.TimeToFirstToken;

    /// <summary>Gets the usage a stream has reported so far.</summary>
    public UsageDetails? ReportedUsage => _stream?.Total;

    /// <summary>Gets a value indicating whether the attempt has ended.</summary>
    public bool IsEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>Observes a streamed update on its way to the caller: time to first token, reported usage, text for an estimate, a cache hit.</summary>
    public void Observe(ChatResponseUpdate update)
    {
        (_stream ??= new StreamUsage()).Observe(update, _start);
        _cacheHit |= _execution.TakeCacheHit(update.AdditionalProperties, streamed: true);
    }

    /// <summary>Charges what the target reported; the attempt stays open (it is recorded once it ends).</summary>
    /// <returns>The cost.</returns>
    public decimal? Charge(UsageDetails? reported)
    {
        _answered ??= Elapsed;
        if (_cacheHit)
        {
            return null; // a cache replayed the answer (with the usage it once had): nothing was billed
        }

        decimal? cost = _execution.AddUsage(reported, Target, estimated: false);
        _cost = cost is null ? _cost : (_cost ?? 0m) + cost;
        return cost;
    }

    /// <summary>Charges what the target reported, else an estimate of the prompt plus <paramref name="outputTokens"/>.</summary>
    public void ChargeOrEstimate(UsageDetails? reported, int outputTokens)
    {
        if (reported is not null || _cacheHit)
        {
            Charge(reported);
            return;
        }

        int input = _execution.Request.EstimatedInputTokens;
        var estimate = new UsageDetails { InputTokenCount = input, OutputTokenCount = outputTokens, TotalTokenCount = input + outputTokens };
        _estimated = true;
        _cost = (_cost ?? 0m) + _execution.AddUsage(estimate, Target, estimated: true);
    }

    /// <summary>Charges a stream's attempt that ended without completing: after output, its reported usage or else an estimate of what it streamed; before output, only what it reported.</summary>
    public void ChargeStream()
    {
        if (_stream is not { } stream)
        {
            return;
        }

        if (stream.HasOutput)
        {
            ChargeOrEstimate(stream.Total, stream.EstimatedOutputTokens);
        }
        else
        {
            Charge(stream.Total);
        }
    }

    /// <summary>A whole answer arrived: charges its usage and takes its cache marker; the attempt stays open (accepted or rejected next).</summary>
    public void Answered(ChatResponse response)
    {
        _cacheHit |= _execution.TakeCacheHit(response.AdditionalProperties);
        Charge(response.Usage);
    }

    /// <summary>A whole answer arrived and stands: charges its usage, takes its cache marker and ends the attempt as succeeded.</summary>
    public void Succeed(ChatResponse response)
    {
        Answered(response);
        End(RouteAttemptOutcome.Succeeded);
    }

    /// <summary>A stream completed: charges the usage it reported and ends the attempt as succeeded.</summary>
    public void SucceedStream()
    {
        Charge(_stream?.Total);
        End(RouteAttemptOutcome.Succeeded);
    }

    /// <summary>Ends the attempt as it failed (<see cref="AttemptFailures.Classify"/>); a stream's output is charged, and an abandoned call (<see cref="CancellationRace"/>) the input estimate.</summary>
    /// <param name="failure">What the call threw.</param>
    /// <param name="callerToken">The caller's own token: only its cancellation makes the attempt cancelled.</param>
    /// <param name="routerTimeouts">Whether a cancellation the caller did not ask for is one of the router's time limits.</param>
    public void Fail(Exception failure, bool routerTimeouts, CancellationToken callerToken)
    {
        (RouteAttemptOutcome outcome, string error) = AttemptFailures.Classify(failure, routerTimeouts, callerToken);
        if (!HasOutput && CancellationRace.IsAbandoned(failure))
        {
            // The target ignored its token and was abandoned: it read the prompt and runs on, so it is charged the input estimate.
            ChargeOrEstimate(ReportedUsage, 0);
        }
        else
        {
            ChargeStream();
        }

        End(outcome, error);
    }

    /// <summary>Ends the attempt (charged beforehand, if at all).</summary>
    /// <returns>Whether this call ended it (an attempt ends once; later calls do nothing).</returns>
    public bool End(RouteAttemptOutcome outcome, string? error = null)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return false;
        }

        TimeSpan duration = outcome is RouteAttemptOutcome.Succeeded or RouteAttemptOutcome.Rejected && _answered is { } answered ? answered : Elapsed;
        _execution.Record(new RouteAttempt(Target.Name, outcome, duration, TimeToFirstToken, error, _cost, _estimated));
        return true;
    }
}
