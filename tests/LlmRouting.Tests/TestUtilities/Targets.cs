using Microsoft.Extensions.AI;

namespace LlmRouting.Tests;

/// <summary>Builds registries and requests for strategy tests without DI.</summary>
internal static class Targets
{
    public static RouteTarget Premium(IChatClient? client = null) => new("premium", client ?? new TestChatClient("premium"), new TargetProfile
    {
        ModelId = "gpt-premium",
        InputPricePerMillion = 2.50m,
        OutputPricePerMillion = 10m,
        ContextWindow = 128_000,
        Capabilities = ModelCapabilities.Streaming | ModelCapabilities.Tools | ModelCapabilities.Vision | ModelCapabilities.JsonSchema,
        Tier = QualityTier.Premium,
    });

    public static RouteTarget Economy(IChatClient? client = null) => new("economy", client ?? new TestChatClient("economy"), new TargetProfile
    {
        InputPricePerMillion = 0.15m,
        OutputPricePerMillion = 0.60m,
        ContextWindow = 16_000,
        Capabilities = ModelCapabilities.Streaming, // declared: plain chat (undeclared capabilities are unknown and never filter)
        Tier = QualityTier.Economy,
    });

    public static RouteTarget OnPrem(IChatClient? client = null) => new("on-prem", client ?? new TestChatClient("on-prem"), new TargetProfile
    {
        InputPricePerMillion = 0.05m,
        OutputPricePerMillion = 0.08m,
        ContextWindow = 8_192,
        Capabilities = ModelCapabilities.Streaming,
        Tags = new HashSet<string>(["on-prem"], StringComparer.OrdinalIgnoreCase),
        Tier = QualityTier.Economy,
    });

    public static TargetRegistry Registry(params RouteTarget[] targets) =>
        new(targets.Length > 0 ? targets : [Premium(), Economy()]);

    public static RoutingRequest Request(string text, ChatOptions? options = null) => new(text, options);

    public static ChatOptions WithMetadata(params (string Key, object Value)[] pairs)
    {
        var options = new ChatOptions { AdditionalProperties = [] };
        foreach ((string key, object value) in pairs)
        {
            options.AdditionalProperties[key] = value;
        }

        return options;
    }
}
