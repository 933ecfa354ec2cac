using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmRouting.Telemetry;

/// <summary>The router's metric instruments, on the <c>LlmRouting</c> meter; recorded once per request when it ends.</summary>
/// <remarks>Every instrument checks <see cref="Instrument.Enabled"/>: with no listener, recording costs a few branches.</remarks>
internal sealed class RoutingMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?>? _router;

    public RoutingMetrics(IMeterFactory? meterFactory = null, string? routerName = null)
    {
        _ownsMeter = meterFactory is null;
        RouterName = routerName;
        _router = routerName is null ? null : new(RoutingTags.Router, routerName);
        _meter = meterFactory?.Create(LlmRoutingTelemetry.MeterName, LlmRoutingTelemetry.Version) ?? new Meter(LlmRoutingTelemetry.MeterName, LlmRoutingTelemetry.Version);
        Requests = _meter.CreateCounter<long>("llmrouting.requests", "{request}", "Routed requests, by serving target, strategy, outcome and whether a fallback served.");
        DecisionDuration = _meter.CreateHistogram<double>("llmrouting.decision.duration", "s", "Time to decide where a request goes (analysis, filters, strategies).");
        RequestDuration = _meter.CreateHistogram<double>("llmrouting.request.duration", "s", "Time from routing to the last byte of the answer, all attempts included.");
        Tokens = _meter.CreateCounter<long>("llmrouting.tokens", "{token}", "Tokens reported by the serving targets, by target and token type.");
        Cost = _meter.CreateCounter<double>("llmrouting.cost", "{currency}", "Cost of requests at the serving targets' prices.");
        Savings = _meter.CreateCounter<double>("llmrouting.savings", "{currency}", "Cost avoided against the baseline target, from the same token counts (negative when routing cost more).");
        Attempts = _meter.CreateCounter<long>("llmrouting.attempts", "{attempt}", "Calls to targets, by target and attempt outcome.");
        Fallbacks = _meter.CreateCounter<long>("llmrouting.fallbacks", "{request}", "Requests served by a target other than the decision's primary.");
        Escalations = _meter.CreateCounter<long>("llmrouting.escalations", "{request}", "Low-confidence answers re-routed to a stronger target.");
        BudgetUtilization = _meter.CreateHistogram<double>("llmrouting.budget.utilization", "1", "Share of a budget spent after each recorded request (1 = limit reached), by scope key and period.");
        Rejections = _meter.CreateCounter<long>("llmrouting.rejections", "{target}", "Targets removed from a request's candidates, by target and filter.");
        AgentLoops = _meter.CreateCounter<long>("llmrouting.agent.loops", "{call}", "Agent calls refused or downgraded by loop detection, by limit and action.");
        SessionSwitches = _meter.CreateCounter<long>("llmrouting.session.switches", "{switch}", "Calls that moved a session (conversation) to another target, by the new target.");
        FeedbackScore = _meter.CreateHistogram<double>("llmrouting.feedback.score", "1", "Outcome scores reported through RouteFeedback (0 bad to 1 good), by serving target and deciding strategy.");
    }

    /// <summary>Gets the named router's name, tagged on every measurement and span; <see langword="null"/> for the unnamed router.</summary>
    public string? RouterName { get; }

    public Counter<long> Requests { get; }

    public Histogram<double> DecisionDuration { get; }

    public Histogram<double> RequestDuration { get; }

    public Counter<long> Tokens { get; }

    public Counter<double> Cost { get; }

    public Counter<double> Savings { get; }

    public Counter<long> Attempts { get; }

    public Counter<long> Fallbacks { get; }

    public Counter<long> Escalations { get; }

    public Histogram<double> BudgetUtilization { get; }

    public Counter<long> Rejections { get; }

    public Histogram<double> FeedbackScore { get; }

    public Counter<long> AgentLoops { get; }

    public Counter<long> SessionSwitches { get; }

    /// <summary>Records an outcome score reported for a route served by <paramref name="target"/> and decided by <paramref name="strategy"/>.</summary>
    public void RecordFeedback(string target, string strategy, double score)
    {
        if (FeedbackScore.Enabled)
        {
            FeedbackScore.Record(score, Tags(new KeyValuePair<string, object?>(RoutingTags.Target, target), new(RoutingTags.Strategy, strategy)));
        }
    }

    public void Record(RouteInfo route)
    {
        var target = new KeyValuePair<string, object?>(RoutingTags.Target, route.Target);
        if (Requests.Enabled)
        {
            Requests.Add(1, Tags(target, new(RoutingTags.Strategy, route.Strategy), new(RoutingTags.Outcome, Lower(route.Outcome)), new(RoutingTags.Fallback, route.IsFallback)));
        }

        if (DecisionDuration.Enabled)
        {
            DecisionDuration.Record(route.DecisionDuration.TotalSeconds, Tags(new KeyValuePair<string, object?>(RoutingTags.Strategy, route.Strategy)));
        }

        if (RequestDuration.Enabled && route.Duration is { } duration)
        {
            RequestDuration.Record(duration.TotalSeconds, Tags(target, new(RoutingTags.Outcome, Lower(route.Outcome))));
        }

        if (Tokens.Enabled && route.Usage is { } usage)
        {
            if (usage.InputTokenCount is { } input)
            {
                Tokens.Add(input, Tags(target, new(RoutingTags.TokenType, "input")));
            }

            if (usage.OutputTokenCount is { } output)
            {
                Tokens.Add(output, Tags(target, new(RoutingTags.TokenType, "output")));
            }
        }

        if (Cost.Enabled && route.Cost is { } cost)
        {
            Cost.Add((double)cost, Tags(target));
        }

        if (Savings.Enabled && route.Savings is { } savings)
        {
            Savings.Add((double)savings, Tags(target));
        }

        RecordAttemptsAndRejections(route, target);
        RecordAgent(route, target);
    }

    private void RecordAgent(RouteInfo route, KeyValuePair<string, object?> target)
    {
        if (AgentLoops.Enabled && route.LoopDetected is { } loop)
        {
            AgentLoops.Add(1, Tags(new(RoutingTags.LoopLimit, loop.Limit.ToString()), new(RoutingTags.LoopAction, loop.Action.ToString())));
        }

        if (SessionSwitches.Enabled && route.Turn is { IsSwitch: true })
        {
            SessionSwitches.Add(1, Tags(target));
        }
    }

    private void RecordAttemptsAndRejections(RouteInfo route, KeyValuePair<string, object?> target)
    {
        if (Attempts.Enabled)
        {
            foreach (RouteAttempt attempt in route.Attempts)
            {
                Attempts.Add(1, Tags(new(RoutingTags.Target, attempt.Target), new(RoutingTags.AttemptOutcome, Lower(attempt.Outcome))));
            }
        }

        if (Escalations.Enabled && route.IsEscalated)
        {
            Escalations.Add(1, Tags(new(RoutingTags.PrimaryTarget, route.Decision.Primary.Name), target));
        }

        if (Fallbacks.Enabled && route.IsFallback)
        {
            Fallbacks.Add(1, Tags(new(RoutingTags.PrimaryTarget, route.Decision.Primary.Name), target));
        }

        if (Rejections.Enabled)
        {
            foreach (CandidateRejection rejection in route.Rejections)
            {
                Rejections.Add(1, Tags(new(RoutingTags.Target, rejection.Target), new(RoutingTags.Filter, rejection.Filter)));
            }
        }
    }

    /// <summary>Records how much of a budget is spent (the scope key and period as tags — never the scope value, which is unbounded).</summary>
    /// <param name="utilization">The share spent (1 = the limit).</param>
    /// <param name="scopeKey">The budget's scope key.</param>
    /// <param name="period">The budget's period, <c>day</c> or <c>month</c>.</param>
    public void RecordBudget(double utilization, string scopeKey, string period)
    {
        if (BudgetUtilization.Enabled)
        {
            BudgetUtilization.Record(utilization, Tags(new(RoutingTags.BudgetScopeKey, scopeKey), new(RoutingTags.BudgetPeriod, period)));
        }
    }

    /// <summary>Tags the routing span with what the route did.</summary>
    public static void Tag(Activity activity, RouteInfo route)
    {
        activity.DisplayName = $"route {route.Target}";
        activity.SetTag(RoutingTags.RouteId, route.RouteId)
            .SetTag(RoutingTags.Target, route.Target)
            .SetTag(RoutingTags.PrimaryTarget, route.Decision.Primary.Name)
            .SetTag(RoutingTags.Strategy, route.Strategy)
            .SetTag(RoutingTags.Reason, route.Reason)
            .SetTag(RoutingTags.CandidateCount, route.CandidateSet.Count)
            .SetTag(RoutingTags.Outcome, Lower(route.Outcome))
            .SetTag(RoutingTags.Attempts, route.Attempts.Count)
            .SetTag(RoutingTags.Fallback, route.IsFallback)
            .SetTag(RoutingTags.CacheHit, route.IsCacheHit)
            .SetTag(RoutingTags.DecisionDuration, route.DecisionDuration.TotalSeconds)
            .SetTag(RoutingTags.RequestModel, route.ModelId ?? route.Target);
        if (route.Rejections.Count > 0)
        {
            activity.SetTag(RoutingTags.Rejected, route.Rejections.Select(r => $"{r.Target}:{r.Filter}").ToArray());
        }

        if (route.ModelVersion is { } modelVersion)
        {
            activity.SetTag(RoutingTags.ModelVersion, modelVersion);
        }

        if (route.Usage is { } usage)
        {
            activity.SetTag(RoutingTags.InputTokens, usage.InputTokenCount).SetTag(RoutingTags.OutputTokens, usage.OutputTokenCount);
        }

        if (route.Cost is { } cost)
        {
            activity.SetTag(RoutingTags.Cost, (double)cost);
        }

        if (route.Savings is { } savings)
        {
            activity.SetTag(RoutingTags.Savings, (double)savings);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>The measurement's tags, and the router's name when it has one (no allocation: a <see cref="TagList"/> holds up to eight inline).</summary>
    private TagList Tags(params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var list = new TagList(tags);
        if (_router is { } router)
        {
            list.Add(router);
        }

        return list;
    }

    internal static string Lower(RouteOutcome value) => value switch
    {
        RouteOutcome.Succeeded => "succeeded",
        RouteOutcome.Failed => "failed",
        RouteOutcome.Canceled => "canceled",
        RouteOutcome.Abandoned => "abandoned",
        _ => "pending",
    };

    private static string Lower(RouteAttemptOutcome value) => value switch
    {
        RouteAttemptOutcome.Succeeded => "succeeded",
        RouteAttemptOutcome.Failed => "failed",
        RouteAttemptOutcome.Canceled => "canceled",
        RouteAttemptOutcome.Abandoned => "abandoned",
        RouteAttemptOutcome.Superseded => "superseded",
        _ => "rejected",
    };
}
