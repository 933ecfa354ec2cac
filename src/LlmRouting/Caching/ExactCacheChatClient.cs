using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using LlmRouting.Configuration;
using LlmRouting.Costs;

namespace LlmRouting.Caching;

/// <summary>
/// An exact response cache for one target on <see cref="HybridCache"/>: identical requests (messages, options,
/// tools, tenant, target) are answered once and replayed, streaming or not.
/// </summary>
/// <remarks>
/// <para>
/// Derives from Microsoft.Extensions.AI's <see cref="CachingChatClient"/> and stores through
/// <see cref="HybridCache"/> rather than <see cref="DistributedCachingChatClient"/>'s <c>IDistributedCache</c>:
/// HybridCache adds stampede protection (concurrent identical requests make one provider call), an in-process
/// L1 in front of the shared L2 (Redis), and invalidation by tag (<see cref="ChatCacheTags"/>).
/// </para>
/// <para>
/// Never stored: errors (exceptions, <see cref="ErrorContent"/>), refusals and filtered answers
/// (<see cref="ChatFinishReason.ContentFilter"/>), truncated answers (<see cref="ChatFinishReason.Length"/>),
/// streams that failed, were cancelled or abandoned, requests with a conversation id or the
/// <see cref="RequestMetadataKeys.NoCache"/> flag. A hit carries no usage (it cost nothing) and is marked on
/// <see cref="RouteInfo.IsCacheHit"/>. Entries never contain the router's <see cref="RouteInfo"/>.
/// Thread-safe. The cache key is a hash; neither keys nor content are logged.
/// </para>
/// </remarks>
public sealed class ExactCacheChatClient : CachingChatClient
{
    private readonly HybridCache _cache;
    private readonly string _target;
    private readonly TargetProfile? _profile;
    private readonly ExactCacheOptions _options;
    private readonly HybridCacheEntryOptions _entryOptions;
    private readonly CacheMetrics _metrics;
    private readonly ReplayTemplates _templates = new();

    /// <summary>Initializes a new instance of the <see cref="ExactCacheChatClient"/> class.</summary>
    /// <param name="innerClient">The target's client.</param>
    /// <param name="cache">The hybrid cache (in-process L1, and the registered <c>IDistributedCache</c> as L2).</param>
    /// <param name="target">The target's name: part of every key, and a tag.</param>
    /// <param name="profile">The target's profile, to price the cost a hit saves; optional.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range; the message names it.</exception>
    public ExactCacheChatClient(IChatClient innerClient, HybridCache cache, string target, TargetProfile? profile = null, ExactCacheOptions? options = null)
        : this(innerClient, cache, target, profile, options, null)
    {
    }

    internal ExactCacheChatClient(IChatClient innerClient, HybridCache cache, string target, TargetProfile? profile, ExactCacheOptions? options, CacheMetrics? metrics)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        _options = options ?? new ExactCacheOptions();
        OptionsValidation.ThrowIfInvalid(_options, "ExactCache");
        _cache = cache;
        _target = target;
        _profile = profile;
        _metrics = metrics ?? CacheMetrics.Shared;
        _entryOptions = new HybridCacheEntryOptions
        {
            Expiration = _options.Expiration,
            LocalCacheExpiration = _options.LocalExpiration < _options.Expiration ? _options.LocalExpiration : _options.Expiration,
        };

        // Streams are looked up without being written: a stream is stored only once it has completed.
        CoalesceStreamingUpdates = true;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!EnableCaching(messages, options))
        {
            return await InnerClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        string tenant = CachedResponses.TenantOf(options);
        if (TryGetCacheKey(messages, options, tenant) is not { } key)
        {
            return await InnerClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var call = new Call(this, messages, options);
        byte[]? stored;
        try
        {
            stored = await _cache.GetOrCreateAsync(
                key,
                call,
                static async (c, ct) => await c.InvokeAsync(ct).ConfigureAwait(false),
                _entryOptions,
                Tags(tenant),
                cancellationToken).ConfigureAwait(false);
        }
        catch (UncacheableResponseException ex)
        {
            // Not stored; a caller that joined the in-flight call gets its own copy of the same answer.
            if (call.Response is { } own)
            {
                _metrics.Miss(CacheMetrics.Exact, _target);
                return own;
            }

            _metrics.Hit(CacheMetrics.Exact, _target, similarity: null, savedCost: null);
            return CachedResponses.SharedCopy(ex.Response);
        }

        if (call.Response is { } fresh)
        {
            _metrics.Miss(CacheMetrics.Exact, _target);
            return fresh;
        }

        if (stored is not { Length: > 0 })
        {
            // Joined a streaming lookup (which never creates entries): make the call ourselves.
            ChatResponse response = await InnerClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            _metrics.Miss(CacheMetrics.Exact, _target);
            await StoreAsync(key, response, tenant, cancellationToken).ConfigureAwait(false);
            return response;
        }

        return Replay(key, stored);
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!EnableCaching(messages, options))
        {
            await foreach (ChatResponseUpdate update in InnerClient.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        string tenant = CachedResponses.TenantOf(options);
        if (TryGetCacheKey(messages, options, tenant) is not { } key)
        {
            await foreach (ChatResponseUpdate update in InnerClient.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        if (await ReadCacheStreamingAsync(key, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            foreach (ChatResponseUpdate update in cached)
            {
                yield return update;
            }

            yield break;
        }

        _metrics.Miss(CacheMetrics.Exact, _target);
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in InnerClient.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            yield return update;
        }

        // Only reached when the stream completed: a failed, cancelled or abandoned stream is never stored.
        await StoreAsync(key, updates.ToChatResponse(), tenant, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(HybridCache) ? _cache : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    protected override bool EnableCaching(IEnumerable<ChatMessage> messages, ChatOptions? options) =>
        base.EnableCaching(messages, options) && !CachedResponses.IsNoCache(options);

    /// <inheritdoc/>
    /// <remarks>Built without JSON by <see cref="ExactCacheKey"/>: a binary encoding of the scope, messages and options, hashed by XxHash128 and XxHash64.</remarks>
    protected override string GetCacheKey(IEnumerable<ChatMessage> messages, ChatOptions? options, params ReadOnlySpan<object?> additionalValues)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return ExactCacheKey.Create(_target, _profile?.ModelId, additionalValues, messages, options);
    }

    /// <inheritdoc/>
    protected override async Task<ChatResponse?> ReadCacheAsync(string key, CancellationToken cancellationToken)
    {
        byte[]? stored;
        try
        {
            stored = await _cache.GetOrCreateAsync(
                key,
                static _ => ValueTask.FromResult<byte[]?>(null),
                new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite },
                tags: null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (UncacheableResponseException)
        {
            // Joined a concurrent non-streaming call whose answer may not be stored: a miss for this stream.
            return null;
        }

        // HybridCache may hand back an empty array for the factory's null: both mean "not cached".
        return stored is { Length: > 0 } ? Replay(key, stored) : null;
    }

    /// <inheritdoc/>
    protected override async Task<IReadOnlyList<ChatResponseUpdate>?> ReadCacheStreamingAsync(string key, CancellationToken cancellationToken)
    {
        if (await ReadCacheAsync(key, cancellationToken).ConfigureAwait(false) is not { } response)
        {
            return null;
        }

        ChatResponseUpdate[] updates = response.ToChatResponseUpdates();
        foreach (ChatResponseUpdate update in updates)
        {
            (update.AdditionalProperties ??= [])[CacheHitMarker.Key] = CacheHitMarker.Exact;
        }

        return updates;
    }

    /// <inheritdoc/>
    /// <remarks>This client's own paths store with the request's tenant tag; this override (for the base class's contract) tags by target only.</remarks>
    protected override Task WriteCacheAsync(string key, ChatResponse value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        return StoreAsync(key, value, tenant: null, cancellationToken);
    }

    /// <inheritdoc/>
    protected override Task WriteCacheStreamingAsync(string key, IReadOnlyList<ChatResponseUpdate> value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        return WriteCacheAsync(key, value.ToChatResponse(), cancellationToken);
    }

    private async Task StoreAsync(string key, ChatResponse response, string? tenant, CancellationToken cancellationToken)
    {
        if (ShouldStore(response) && CachedResponses.TrySerialize(response) is { } serialized)
        {
            string[] tags = tenant is null ? [ChatCacheTags.All, ChatCacheTags.ForTarget(_target)] : Tags(tenant);
            await _cache.SetAsync(key, serialized, _entryOptions, tags, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The cache key, or <see langword="null"/> when the request holds content that cannot be hashed (it then bypasses the cache).</summary>
    private string? TryGetCacheKey(IEnumerable<ChatMessage> messages, ChatOptions? options, string tenant)
    {
        try
        {
            return GetCacheKey(messages, options, tenant);
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private bool ShouldStore(ChatResponse response) =>
        CachedResponses.IsCacheable(response) && (_options.ShouldCache?.Invoke(response) ?? true);

    /// <summary>A stored answer as a new response, without usage, marked as a hit; the hit is counted with the cost it saved.</summary>
    private ChatResponse Replay(string key, byte[] stored)
    {
        ChatResponse response = _templates.Replay(key, stored);
        decimal? saved = _profile is not null ? RoutingCost.Compute(response.Usage, _profile) : null;
        _metrics.Hit(CacheMetrics.Exact, _target, similarity: null, saved);
        CachedResponses.WithoutUsage(response);
        (response.AdditionalProperties ??= [])[CacheHitMarker.Key] = CacheHitMarker.Exact;
        return response;
    }

    private string[] Tags(string tenant) => [ChatCacheTags.All, ChatCacheTags.ForTenant(tenant), ChatCacheTags.ForTarget(_target)];

    /// <summary>One non-streaming request: the HybridCache factory runs for the first caller only, and records that it did.</summary>
    private sealed class Call(ExactCacheChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        public ChatResponse? Response { get; private set; }

        public async Task<byte[]> InvokeAsync(CancellationToken cancellationToken)
        {
            ChatResponse response = await owner.InnerClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            Response = response;
            if (!owner.ShouldStore(response) || CachedResponses.TrySerialize(response) is not { } serialized)
            {
                throw new UncacheableResponseException(response);
            }

            return serialized;
        }
    }

    /// <summary>Carries an answer that must not be stored out of the HybridCache factory (which stores whatever it returns).</summary>
#pragma warning disable CA1032, CA1064 // Private control-flow exception: never escapes this class.
    private sealed class UncacheableResponseException(ChatResponse response) : Exception("The response must not be cached.")
#pragma warning restore CA1032, CA1064
    {
        public ChatResponse Response { get; } = response;
    }
}
