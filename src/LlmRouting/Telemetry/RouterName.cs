namespace LlmRouting.Telemetry;

/// <summary>A named router's name, in the router's own services, so its spans and metrics say which router they came from.</summary>
/// <param name="Value">The name given to <c>AddLlmRouter(name, …)</c>.</param>
internal sealed record RouterName(string Value);
