using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using LlmRouting.Analysis;
using LlmRouting.Caching;
using LlmRouting.Embeddings;
using LlmRouting.Filtering;
using LlmRouting.Resilience;

namespace LlmRouting.Tests.Caching;

/// <summary>The semantic cache never serves one user an answer written for another's personal data, and its bookkeeping is bounded.</summary>
public class SemanticCacheSensitivityTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    private static ChatOptions For(string user, string tenant = "acme") => new() { AdditionalProperties = new() { ["tenant"] = tenant, ["user"] = user } };

    private static TestChatClient Echoing() => new("inner")
    {
        GetResponseAsyncCallback = (messages, options, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"for {(options?.AdditionalProperties?.TryGetValue("user", out object? u) == true ? u : null)}: noted {messages.Last().Text.Length} chars"))),
    };

    /// <summary>Property: users whose prompts differ only in personal data (similarity far above the threshold) each get their own answer.</summary>
    [Fact]
    public async Task Property_UsersWhosePromptsDifferOnlyInPersonalData_NeverShareAnAnswer()
    {
        TestChatClient inner = Echoing();
        using var cache = new SemanticCacheChatClient(inner, timeProvider: _time);
        var random = new Random(3);
        string[] users = ["alice", "bob", "carol", "dave"];
        int requests = 0;
        for (int round = 0; round < 3; round++)
        {
            foreach (PersonalData.Sample sample in PersonalData.All(random))
            {
                foreach (string user in users)
                {
                    ChatResponse response = await cache.GetResponseAsync($"Please update my account with {sample.Text} and confirm the change.", For(user));
                    Assert.StartsWith($"for {user}:", response.Text, StringComparison.Ordinal);
                    requests++;
                }
            }
        }

        Assert.True(requests > 200);
    }

    [Fact]
    public async Task ASensitiveRequest_IsCachedForItsOwnUser()
    {
        TestChatClient inner = Echoing();
        using var cache = new SemanticCacheChatClient(inner, timeProvider: _time);

        await cache.GetResponseAsync("Please update my account with jane@example.com and confirm.", For("alice"));
        await cache.GetResponseAsync("Please update my account with jane@example.com and confirm.", For("alice"));

        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task ASensitiveRequestWithoutAUser_IsNeverCached()
    {
        TestChatClient inner = Echoing();
        using var cache = new SemanticCacheChatClient(inner, timeProvider: _time);
        var anonymous = new ChatOptions { AdditionalProperties = new() { ["tenant"] = "acme" } };

        await cache.GetResponseAsync("Please update my account with jane@example.com and confirm.", anonymous);
        await cache.GetResponseAsync("Please update my account with jane@example.com and confirm.", anonymous);

        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, ((InMemorySemanticCacheIndex)cache.Index).Count);
    }

    [Fact]
    public async Task PerUserCaching_CanBeTurnedOff()
    {
        TestChatClient inner = Echoing();
        using var cache = new SemanticCacheChatClient(inner, options: new SemanticCacheOptions { CacheSensitiveRequestsPerUser = false }, timeProvider: _time);

        await cache.GetResponseAsync("Please update my account with jane@example.com.", For("alice"));
        await cache.GetResponseAsync("Please update my account with jane@example.com.", For("alice"));

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task AnAnswerCarryingPersonalData_IsNotStoredInASharedScope()
    {
        var inner = new TestChatClient("inner") { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Your advisor is reachable at advisor7@bank.example."))) };
        using var cache = new SemanticCacheChatClient(inner, timeProvider: _time);

        await cache.GetResponseAsync("Who is my advisor?", For("alice"));
        await cache.GetResponseAsync("Who is my advisor?", For("bob"));

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task ARemoteGenerator_NeverReceivesSensitiveText_UnlessDeclaredAllowed()
    {
        var remote = new RecordingEmbeddingGenerator();
        var declared = new RecordingEmbeddingGenerator();
        using var undeclaredCache = new SemanticCacheChatClient(Echoing(), remote, timeProvider: _time);
        using var declaredCache = new SemanticCacheChatClient(Echoing(), declared, options: new SemanticCacheOptions { EmbeddingGeneratorAllowsSensitiveData = true }, timeProvider: _time);

        await undeclaredCache.GetResponseAsync("Update my card 4111 1111 1111 1111 please", For("alice"));
        await undeclaredCache.GetResponseAsync([new ChatMessage(ChatRole.System, "Customer jane@example.com"), new ChatMessage(ChatRole.User, "What is my plan?")], For("alice"));
        await declaredCache.GetResponseAsync("Update my card 4111 1111 1111 1111 please", For("alice"));
        await undeclaredCache.GetResponseAsync("What are your opening hours?", For("alice"));

        Assert.Equal(["What are your opening hours?"], remote.Inputs);
        Assert.Single(declared.Inputs);
    }

    [Fact]
    public async Task TheConfiguredPolicy_DecidesSensitivity_TagsAndDomainsIncluded()
    {
        var remote = new RecordingEmbeddingGenerator();
        var policy = new SensitivityPolicy(new DataPolicyOptions { SensitiveRequestTags = { "confidential" }, Domains = RiskDomains.Medical });
        using var cache = new SemanticCacheChatClient(Echoing(), remote, index: null, options: null, _time, policy);
        ChatOptions tagged = For("alice");
        tagged.AdditionalProperties!["tags"] = "confidential";

        await cache.GetResponseAsync("Summarise the meeting", tagged);
        await cache.GetResponseAsync("What medication dosage treats these symptoms, doctor, given my diagnosis?", For("alice"));

        Assert.Empty(remote.Inputs);
    }

    [Fact]
    public async Task BadInput_IsRejectedBeforeItIsEmbedded()
    {
        var remote = new RecordingEmbeddingGenerator();
        using var cache = new SemanticCacheChatClient(Echoing(), remote, timeProvider: _time);

        await Assert.ThrowsAsync<ArgumentException>(() => cache.GetResponseAsync([new ChatMessage(ChatRole.User, "hi"), null!]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => cache.GetResponseAsync("hi", new ChatOptions { Temperature = float.NaN }));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["tenant"] = new object() } }));

        Assert.Empty(remote.Inputs);
    }

    [Fact]
    public async Task ScopeBookkeeping_IsBoundedByMaxEntries_AndFreedWithTheTenant()
    {
        using var index = new InMemorySemanticCacheIndex(maxEntries: 100, _time);
        float[] vector = LocalEmbeddingGenerator.Default.Embed("a question");
        var entry = new SemanticCacheEntry(new byte[] { 1 }, null, _time.GetUtcNow().AddHours(1));

        // 30 000 conversations, each its own partition, in 3 tenants: only the live entries' scopes are remembered.
        for (int i = 0; i < 30_000; i++)
        {
            index.Add(new SemanticCacheScope($"tenant{i % 3}", $"conversation{i}"), vector, entry);
            Assert.True(index.ScopeCount <= 100);
        }

        Assert.Equal(100, index.Count);
        Assert.Equal(100, index.ScopeCount);
        Assert.NotNull(index.FindNearest(new SemanticCacheScope("tenant2", "conversation29999"), vector, 0.9f));
        Assert.Null(index.FindNearest(new SemanticCacheScope("tenant0", "conversation0"), vector, 0.9f));

        await index.RemoveTenantAsync("tenant0");
        await index.RemoveTenantAsync("tenant1");
        await index.RemoveTenantAsync("tenant2");
        Assert.Equal(0, index.Count);
        Assert.Equal(0, index.ScopeCount);

        // Slots and scope ids are reused afterwards.
        index.Add(new SemanticCacheScope("tenant9", "p"), vector, entry);
        Assert.NotNull(index.FindNearest(new SemanticCacheScope("tenant9", "p"), vector, 0.9f));
        Assert.Equal(1, index.ScopeCount);
    }

    [Fact]
    public void EvictingAScopesOnlyEntry_ForItsOwnNewEntry_KeepsTheScope()
    {
        using var index = new InMemorySemanticCacheIndex(maxEntries: 1, _time);
        float[] vector = LocalEmbeddingGenerator.Default.Embed("a question");
        var scope = new SemanticCacheScope("t", "p");

        index.Add(scope, vector, new SemanticCacheEntry(new byte[] { 1 }, "first", _time.GetUtcNow().AddHours(1)));
        index.Add(scope, vector, new SemanticCacheEntry(new byte[] { 2 }, "second", _time.GetUtcNow().AddHours(1)));

        Assert.Equal("second", index.FindNearest(scope, vector, 0.9f)!.Value.Entry.Target);
        Assert.Equal(1, index.ScopeCount);
    }
}
