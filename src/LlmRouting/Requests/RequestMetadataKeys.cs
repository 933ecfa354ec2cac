namespace LlmRouting;

/// <summary>Well-known keys the router reads from <see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/>.</summary>
public static class RequestMetadataKeys
{
    /// <summary>The tenant the request belongs to (isolates caches, budgets and ledgers).</summary>
    public const string Tenant = "tenant";

    /// <summary>The end user the request is made for.</summary>
    public const string User = "user";

    /// <summary>The customer's plan or tier, e.g. <c>free</c> or <c>pro</c>.</summary>
    public const string Tier = "tier";

    /// <summary>Tags: a string (comma-separated) or a sequence of strings, e.g. <c>sensitive</c>.</summary>
    public const string Tags = "tags";

    /// <summary>A flag (<see langword="true"/> or <c>"true"</c>) that keeps the request out of every cache: never served from one, never stored.</summary>
    public const string NoCache = "no-cache";

    /// <summary>The session an agent's or a chat's calls belong to, when <see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/> is not set (conversation affinity, loop detection, per-session accounting).</summary>
    public const string Session = "session";

    /// <summary>The role of the agent making the call in a multi-agent system, e.g. <c>planner</c> or <c>coder</c> (see <see cref="RoutingRequest.AgentRole"/>).</summary>
    public const string AgentRole = "agent-role";

    /// <summary>The key under which the router attaches <see cref="RouteInfo"/> to responses and updates.</summary>
    public const string RouteInfo = "llmrouting.route";
}
