namespace WebApi;

/// <summary>A chat request: the user's message, the tenant whose budget pays, and an optional provider-side conversation id.</summary>
public sealed record ChatRequest(string Message, string? Tenant = null, string? ConversationId = null);

/// <summary>The answer and how it was routed (never the prompt).</summary>
public sealed record ChatReply(string Answer, string? Target, string? Strategy, string? Reason, decimal? Cost);

/// <summary>What the router looks like now.</summary>
public sealed record RouterStatusReply(IReadOnlyList<TargetStatus> Targets, IReadOnlyList<BudgetStatus> Budgets);

/// <summary>One target: its profile summary, circuit state and cooldown.</summary>
/// <param name="Name">The target name.</param>
/// <param name="Model">The model id sent to the provider.</param>
/// <param name="Tier">The quality tier.</param>
/// <param name="Circuit">The circuit state: Closed, Open, HalfOpen or Isolated.</param>
/// <param name="Available">Whether the target takes calls now.</param>
/// <param name="OpenUntil">When an open circuit lets a probe through again.</param>
/// <param name="RetryInSeconds">Seconds until then (0 when the target is available).</param>
/// <param name="LastFailure">The type name of the failure that last opened the circuit.</param>
public sealed record TargetStatus(string Name, string? Model, string Tier, string Circuit, bool Available, DateTimeOffset? OpenUntil, double RetryInSeconds, string? LastFailure);

/// <summary>One budget of one scope in the current window.</summary>
public sealed record BudgetStatus(string ScopeKey, string Scope, string Period, decimal Limit, decimal Spent, decimal Reserved, double Utilization, DateTimeOffset WindowEnd);
