namespace LlmRouting.Telemetry;

/// <summary>Attribute names on the router's spans and metrics (OpenTelemetry gen_ai conventions where they apply).</summary>
public static class RoutingTags
{
    /// <summary>The route id (<see cref="RouteInfo.RouteId"/>).</summary>
    public const string RouteId = "llmrouting.route_id";

    /// <summary>The name of the router (a named router's <c>AddLlmRouter(name, …)</c>); absent for the unnamed router.</summary>
    public const string Router = "llmrouting.router";

    /// <summary>The target that served (or last tried to serve) the request.</summary>
    public const string Target = "llmrouting.target";

    /// <summary>The decision's primary target.</summary>
    public const string PrimaryTarget = "llmrouting.primary_target";

    /// <summary>The strategy that decided.</summary>
    public const string Strategy = "llmrouting.strategy";

    /// <summary>The version of the learned model that decided (<see cref="RouteInfo.ModelVersion"/>), when one did.</summary>
    public const string ModelVersion = "llmrouting.model_version";

    /// <summary>The content-free reason of the decision.</summary>
    public const string Reason = "llmrouting.reason";

    /// <summary>The number of candidate targets after filtering.</summary>
    public const string CandidateCount = "llmrouting.candidates";

    /// <summary>The rejected targets and why, as <c>target:filter</c> entries.</summary>
    public const string Rejected = "llmrouting.rejected";

    /// <summary>The loop-detection limit that tripped (metrics).</summary>
    public const string LoopLimit = "llmrouting.loop.limit";

    /// <summary>What loop detection did: throw or downgrade (metrics).</summary>
    public const string LoopAction = "llmrouting.loop.action";

    /// <summary>The filter that rejected a target (metrics).</summary>
    public const string Filter = "llmrouting.filter";

    /// <summary>How the request ended (<see cref="RouteOutcome"/>, lower case).</summary>
    public const string Outcome = "llmrouting.outcome";

    /// <summary>How an attempt ended (<see cref="RouteAttemptOutcome"/>, lower case).</summary>
    public const string AttemptOutcome = "llmrouting.attempt.outcome";

    /// <summary>The number of attempts.</summary>
    public const string Attempts = "llmrouting.attempts";

    /// <summary>Whether a fallback target served the answer.</summary>
    public const string Fallback = "llmrouting.fallback";

    /// <summary>Whether a cache served the answer.</summary>
    public const string CacheHit = "llmrouting.cache_hit";

    /// <summary>The request's cost at the serving target's prices.</summary>
    public const string Cost = "llmrouting.cost";

    /// <summary>The saving against the baseline target.</summary>
    public const string Savings = "llmrouting.savings";

    /// <summary>The decision time in seconds.</summary>
    public const string DecisionDuration = "llmrouting.decision.duration";

    /// <summary>gen_ai: the model id requested.</summary>
    public const string RequestModel = "gen_ai.request.model";

    /// <summary>gen_ai: the provider (always <c>llmrouting</c> on the routing span).</summary>
    public const string ProviderName = "gen_ai.provider.name";

    /// <summary>gen_ai: the operation (<c>chat</c>).</summary>
    public const string OperationName = "gen_ai.operation.name";

    /// <summary>gen_ai: input tokens.</summary>
    public const string InputTokens = "gen_ai.usage.input_tokens";

    /// <summary>gen_ai: output tokens.</summary>
    public const string OutputTokens = "gen_ai.usage.output_tokens";

    /// <summary>gen_ai: the token type on token metrics (<c>input</c> or <c>output</c>).</summary>
    public const string TokenType = "gen_ai.token.type";

    /// <summary>The metadata key a budget is scoped by (e.g. <c>tenant</c>).</summary>
    public const string BudgetScopeKey = "llmrouting.budget.scope_key";

    /// <summary>The budget period (<c>day</c> or <c>month</c>).</summary>
    public const string BudgetPeriod = "llmrouting.budget.period";

    /// <summary>The exception type of a failure (OpenTelemetry <c>error.type</c>).</summary>
    public const string ErrorType = "error.type";
}
