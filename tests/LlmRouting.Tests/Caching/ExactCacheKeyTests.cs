using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;
using LlmRouting.Caching;

namespace LlmRouting.Tests.Caching;

/// <summary>
/// Properties of the exact cache's key (<see cref="ExactCacheKey"/>): equal requests give equal keys; a change to
/// anything that changes the answer — every message field and content kind, every option, tools, schemas, scope —
/// gives another key; over generated requests, equal keys only ever come from requests with the same JSON.
/// </summary>
public sealed class ExactCacheKeyTests
{
    /// <summary>The options that do not change the answer (a callback) and are left out of the key on purpose.</summary>
    private static readonly string[] OptionsLeftOut = [nameof(ChatOptions.RawRepresentationFactory)];

    /// <summary>One change per field; each must change the key. Names are for the test output.</summary>
    private static readonly (string Field, Action<Request> Change)[] Changes =
    [
        ("target", r => r.Target = "other"),
        ("model id", r => r.ModelId = "gpt-other"),
        ("no model id", r => r.ModelId = null),
        ("tenant", r => r.Tenant = "globex"),
        ("message text", r => ((TextContent)r.Messages[1].Contents[0]).Text += "!"),
        ("message role", r => r.Messages[1].Role = ChatRole.Assistant),
        ("author name", r => r.Messages[1].AuthorName = "bob"),
        ("message property", r => (r.Messages[1].AdditionalProperties ??= [])["x"] = 1),
        ("message order", r => (r.Messages[0], r.Messages[1]) = (r.Messages[1], r.Messages[0])),
        ("one more message", r => r.Messages.Add(new ChatMessage(ChatRole.User, "and?"))),
        ("text split in two parts", r => r.Messages[1].Contents = [new TextContent("Hello, "), new TextContent("world")]),
        ("content property", r => r.Messages[1].Contents[0].AdditionalProperties = new() { ["cache"] = "ephemeral" }),
        ("reasoning text", r => r.Messages[1].Contents.Add(new TextReasoningContent("think"))),
        ("reasoning protected data", r => r.Messages[1].Contents.Add(new TextReasoningContent("think") { ProtectedData = "sealed" })),
        ("image bytes", r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 3 }, "image/png"))),
        ("image bytes changed", r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 4 }, "image/png"))),
        ("image media type", r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 3 }, "image/jpeg"))),
        ("uri", r => r.Messages[1].Contents.Add(new UriContent(new Uri("https://example.com/a.png"), "image/png"))),
        ("uri changed", r => r.Messages[1].Contents.Add(new UriContent(new Uri("https://example.com/b.png"), "image/png"))),
        ("function call", r => r.Messages[1].Contents.Add(new FunctionCallContent("c1", "weather", new Dictionary<string, object?> { ["city"] = "Paris" }))),
        ("function call argument", r => r.Messages[1].Contents.Add(new FunctionCallContent("c1", "weather", new Dictionary<string, object?> { ["city"] = "Rome" }))),
        ("function call id", r => r.Messages[1].Contents.Add(new FunctionCallContent("c2", "weather", new Dictionary<string, object?> { ["city"] = "Paris" }))),
        ("function result", r => r.Messages[1].Contents.Add(new FunctionResultContent("c1", "sunny"))),
        ("function result changed", r => r.Messages[1].Contents.Add(new FunctionResultContent("c1", "rain"))),
        ("hosted file", r => r.Messages[1].Contents.Add(new HostedFileContent("file-1"))),
        ("error content", r => r.Messages[1].Contents.Add(new ErrorContent("boom"))),
        ("instructions", r => r.Options.Instructions = "Be brief."),
        ("temperature", r => r.Options.Temperature = 0.71f),
        ("max output tokens", r => r.Options.MaxOutputTokens = 101),
        ("top p", r => r.Options.TopP = 0.9f),
        ("top k", r => r.Options.TopK = 7),
        ("frequency penalty", r => r.Options.FrequencyPenalty = 0.1f),
        ("presence penalty", r => r.Options.PresencePenalty = 0.1f),
        ("seed", r => r.Options.Seed = 43),
        ("options model id", r => r.Options.ModelId = "gpt-x"),
        ("conversation id", r => r.Options.ConversationId = "conv-1"),
        ("stop sequences", r => r.Options.StopSequences = ["END"]),
        ("allow multiple tool calls", r => r.Options.AllowMultipleToolCalls = false),
        ("allow background responses", r => r.Options.AllowBackgroundResponses = true),
        ("reasoning effort", r => r.Options.Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High }),
        ("continuation token", r => r.Options.ContinuationToken = ResponseContinuationToken.FromBytes(new byte[] { 9 })),
        ("tool mode", r => r.Options.ToolMode = ChatToolMode.RequireAny),
        ("required tool", r => r.Options.ToolMode = ChatToolMode.RequireSpecific("weather")),
        ("response format", r => r.Options.ResponseFormat = ChatResponseFormat.Json),
        ("response schema", r => r.Options.ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"object"}""").RootElement, "answer")),
        ("tool added", r => r.Options.Tools!.Add(AIFunctionFactory.Create((int zip) => zip, "lookup"))),
        ("tool schema", r => r.Options.Tools = [AIFunctionFactory.Create((int city) => city, "weather", "The weather.")]),
        ("tool description", r => r.Options.Tools = [AIFunctionFactory.Create((string city) => city, "weather", "The forecast.")]),
        ("tool name", r => r.Options.Tools = [AIFunctionFactory.Create((string city) => city, "forecast", "The weather.")]),
        ("hosted tool", r => r.Options.Tools!.Add(new HostedWebSearchTool())),
        ("user", r => r.Options.AdditionalProperties![RequestMetadataKeys.User] = "bob"),
        ("metadata value", r => r.Options.AdditionalProperties!["tier"] = "pro"),
        ("metadata type", r => r.Options.AdditionalProperties!["count"] = 3L),
        ("metadata removed", r => r.Options.AdditionalProperties!.Remove("tier")),
        ("no options", r => r.NoOptions = true),
    ];

    public static TheoryData<string> ChangedFields() => [.. Changes.Select(c => c.Field)];

    [Fact]
    public void EqualRequests_GiveEqualKeys_WhateverTheMetadataOrder()
    {
        Request a = Request.Sample();
        Request b = Request.Sample();
        b.Options.AdditionalProperties = new(b.Options.AdditionalProperties!.Reverse());

        Assert.Equal(a.Key(), b.Key());
        Assert.StartsWith(ExactCacheKey.Prefix, a.Key(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ChangedFields))]
    public void AnyChangeThatChangesTheAnswer_ChangesTheKey(string field)
    {
        Request changed = Request.Sample();
        Changes.Single(c => c.Field == field).Change(changed);

        Assert.NotEqual(Request.Sample().Key(), changed.Key());
    }

    [Fact]
    public void DifferentChanges_GiveDifferentKeys()
    {
        string[] keys = [.. Changes.Select(c =>
        {
            Request changed = Request.Sample();
            c.Change(changed);
            return changed.Key();
        })];

        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void EveryChatOption_IsCoveredByAChange()
    {
        // A new ChatOptions property in a later MEAI version must be added to the key (and here) or listed as left out.
        PropertyInfo[] properties = typeof(ChatOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
        foreach (PropertyInfo property in properties.Where(p => !OptionsLeftOut.Contains(p.Name)))
        {
            Request changed = Request.Sample();
            changed.Options.AdditionalProperties = null;
            Request baseline = Request.Sample();
            baseline.Options.AdditionalProperties = null;
            property.SetValue(changed.Options, SampleValue(property.PropertyType));
            Assert.True(baseline.Key() != changed.Key(), $"ChatOptions.{property.Name} does not change the key.");
        }
    }

    [Fact]
    public void WhatDoesNotChangeTheAnswer_KeepsTheKey()
    {
        Request changed = Request.Sample();
        changed.Messages[1].MessageId = "m-1";
        changed.Messages[1].CreatedAt = DateTimeOffset.UnixEpoch;
        changed.Options.RawRepresentationFactory = _ => new object();
        changed.Options.AdditionalProperties![RequestMetadataKeys.NoCache] = false;

        Assert.Equal(Request.Sample().Key(), changed.Key());
    }

    [Fact]
    public void ContentThatCannotBeSerialized_Throws_SoTheRequestBypassesTheCache()
    {
        Request request = Request.Sample();
        request.Messages[1].Contents.Add(new OpaqueContent());

        Assert.Throws<NotSupportedException>(() => request.Key());
    }

    [Fact]
    public void GeneratedRequests_ShareAKey_OnlyWhenTheirJsonIsEqual()
    {
        var random = new Random(1234);
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < 3000; i++)
        {
            Request request = Request.Generated(random);
            string json = request.Json();
            if (byKey.TryGetValue(request.Key(), out string? other))
            {
                Assert.Equal(other, json);
            }
            else
            {
                byKey[request.Key()] = json;
            }
        }

        // The generator repeats itself often enough that equal requests were met, and varies enough to give many keys.
        Assert.InRange(byKey.Count, 500, 2999);
    }

    private static object SampleValue(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) ? "changed" :
            t == typeof(float) ? 0.123f :
            t == typeof(int) ? 17 :
            t == typeof(long) ? 99L :
            t == typeof(bool) ? true :
            t == typeof(ChatToolMode) ? ChatToolMode.RequireAny :
            t == typeof(ChatResponseFormat) ? ChatResponseFormat.Json :
            t == typeof(ReasoningOptions) ? new ReasoningOptions { Effort = ReasoningEffort.Low } :
            t == typeof(ResponseContinuationToken) ? ResponseContinuationToken.FromBytes(new byte[] { 1 }) :
            t == typeof(IList<string>) ? new List<string> { "STOP" } :
            t == typeof(IList<AITool>) ? new List<AITool> { AIFunctionFactory.Create(() => 1, "one") } :
            t == typeof(AdditionalPropertiesDictionary) ? new AdditionalPropertiesDictionary { ["k"] = "v" } :
            throw new InvalidOperationException($"No sample value for {type}: add one, and add the option to the key.");
    }

    private sealed class OpaqueContent : AIContent;

    /// <summary>A request and its scope, mutable so each change touches one field.</summary>
    private sealed class Request
    {
        private static readonly string[] Words = ["hello", "world", "refund", "invoice", "why", "the", "report"];

        public string Target { get; set; } = "economy";

        public string? ModelId { get; set; } = "gpt-4o-mini";

        public string Tenant { get; set; } = "acme";

        public List<ChatMessage> Messages { get; } = [];

        public ChatOptions Options { get; set; } = new();

        public bool NoOptions { get; set; }

        public static Request Sample()
        {
            var request = new Request();
            request.Messages.Add(new ChatMessage(ChatRole.System, "You are helpful."));
            request.Messages.Add(new ChatMessage(ChatRole.User, "Hello, world"));
            request.Options = new ChatOptions
            {
                Temperature = 0.7f,
                MaxOutputTokens = 100,
                Seed = 42,
                Tools = [AIFunctionFactory.Create((string city) => city, "weather", "The weather.")],
                AdditionalProperties = new() { [RequestMetadataKeys.User] = "alice", ["tier"] = "free" },
            };
            return request;
        }

        public static Request Generated(Random random)
        {
            var request = new Request { Tenant = random.Next(2) == 0 ? "a" : "b", ModelId = null };
            int messages = random.Next(1, 3);
            for (int m = 0; m < messages; m++)
            {
                var message = new ChatMessage(random.Next(3) == 0 ? ChatRole.Assistant : ChatRole.User, Words[random.Next(Words.Length)]);
                if (random.Next(4) == 0)
                {
                    message.Contents.Add(new FunctionResultContent("c" + random.Next(2), random.Next(2) == 0 ? "x" : 1));
                }

                request.Messages.Add(message);
            }

            request.Options = new ChatOptions
            {
                Temperature = random.Next(3) == 0 ? null : random.Next(2) / 2f,
                MaxOutputTokens = random.Next(2) == 0 ? null : 10 * random.Next(1, 3),
                AdditionalProperties = random.Next(2) == 0 ? null : new() { [RequestMetadataKeys.User] = "u" + random.Next(2) },
            };
            return request;
        }

        public string Key() => ExactCacheKey.Create(Target, ModelId, [Tenant], Messages, NoOptions ? null : Options);

        public string Json() => JsonSerializer.Serialize(
            new object?[] { Target, ModelId, Tenant, Messages, NoOptions ? null : Options },
            AIJsonUtilities.DefaultOptions);
    }
}
