using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using LlmRouting.Analysis;
using LlmRouting.Configuration;
using LlmRouting.Embeddings;
using LlmRouting.Filtering;
using LlmRouting.Costs;

namespace LlmRouting.Caching;

/// <summary>
/// Answers a request with the stored answer of the most similar earlier request (cosine similarity of embeddings at
/// or above a threshold) in the same tenant and context; otherwise calls through and stores the answer.
/// </summary>
/// <remarks>
/// <para>
/// The last user message is embedded (by default with the local <see cref="LocalEmbeddingGenerator"/>); everything
/// else that shapes the answer must match exactly, through the <see cref="SemanticCacheScope"/>: the tenant, and a
/// partition hashing the system prompt and earlier turns, instructions, model id, response format, the <c>tier</c>
/// metadata and <see cref="SemanticCacheOptions.Partition"/>. Answers never cross tenants or contexts.
/// </para>
/// <para>
/// Sensitive requests (by the <see cref="SensitivityPolicy"/> the router's other destinations ask: personal data anywhere
/// in the request, a sensitive tag, a configured domain) are cached per user — or not at all when the request names no
/// user — so two users whose prompts differ only in personal data never share an answer; they are embedded only by an
/// allowed generator (the local one, or one declared with <see cref="SemanticCacheOptions.EmbeddingGeneratorAllowsSensitiveData"/>).
/// An answer that carries personal data is never stored in a shared scope.
/// </para>
/// <para>
/// Skipped (neither served nor stored): requests with tools, with any non-text content (images, files, tool
/// results), with a conversation id or the <see cref="RequestMetadataKeys.NoCache"/> flag. Never stored: errors,
/// refusals, truncated and incomplete streamed answers. Streaming hits replay the answer as updates.
/// </para>
/// <para>
/// A hit carries a <see cref="RouteInfo"/> with <see cref="RouteInfo.IsCacheHit"/> and
/// <see cref="RouteInfo.CacheSimilarity"/> when the inner pipeline is an <see cref="LlmRouterChatClient"/> (the
/// original target is reported, no usage, no cost; route observers are not called: nothing was routed). Placed inside
/// a router (per target), the hit is marked on the router's own <see cref="RouteInfo"/>.
/// Thread-safe; prompts, answers and vectors are never logged.
/// </para>
/// </remarks>
public sealed class SemanticCacheChatClient : DelegatingChatClient
{
    /// <summary>The strategy name reported on the <see cref="RouteInfo"/> of a semantic-cache hit.</summary>
    public const string StrategyName = "semantic-cache";

    private readonly IEmbeddingGenerator<string, Embedding<float>> _embeddingGenerator;
    private readonly ISemanticCacheIndex _index;
    private readonly SemanticCacheOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly CacheMetrics _metrics;
    private readonly float _threshold;
    private readonly SensitivityPolicy _sensitivity;
    private readonly IRequestAnalyzer _analyzer;
    private readonly bool _generatorAllowed;

    /// <summary>Initializes a new instance of the <see cref="SemanticCacheChatClient"/> class.</summary>
    /// <param name="innerClient">The client to call on a miss (typically the router).</param>
    /// <param name="embeddingGenerator">Embeds requests; the default is <see cref="LocalEmbeddingGenerator.Default"/>.</param>
    /// <param name="index">Stores and searches the embeddings; the default is a new <see cref="InMemorySemanticCacheIndex"/> of <see cref="SemanticCacheOptions.MaxEntries"/>.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for expiry; the default is <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range; the message names it.</exception>
    public SemanticCacheChatClient(
        IChatClient innerClient,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null,
        ISemanticCacheIndex? index = null,
        SemanticCacheOptions? options = null,
        TimeProvider? timeProvider = null)
        : this(innerClient, embeddingGenerator, index, options, timeProvider, (CacheMetrics?)null, null, null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SemanticCacheChatClient"/> class with the sensitivity predicate the router's other destinations ask.</summary>
    /// <param name="innerClient">The client to call on a miss (typically the router).</param>
    /// <param name="embeddingGenerator">Embeds requests; the default is <see cref="LocalEmbeddingGenerator.Default"/>.</param>
    /// <param name="index">Stores and searches the embeddings.</param>
    /// <param name="options">The settings.</param>
    /// <param name="timeProvider">The clock for expiry.</param>
    /// <param name="sensitivity">Decides which requests are sensitive; the default is <see cref="SensitivityPolicy.Default"/>.</param>
    /// <param name="analyzer">Reads requests for personal data; the default is <see cref="RequestAnalyzer.Default"/>.</param>
    public SemanticCacheChatClient(
        IChatClient innerClient,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator,
        ISemanticCacheIndex? index,
        SemanticCacheOptions? options,
        TimeProvider? timeProvider,
        SensitivityPolicy? sensitivity,
        IRequestAnalyzer? analyzer = null)
        : this(innerClient, embeddingGenerator, index, options, timeProvider, (CacheMetrics?)null, sensitivity, analyzer)
    {
    }

    internal SemanticCacheChatClient(
        IChatClient innerClient,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator,
        ISemanticCacheIndex? index,
        SemanticCacheOptions? options,
        TimeProvider? timeProvider,
        CacheMetrics? metrics,
        SensitivityPolicy? sensitivity,
        IRequestAnalyzer? analyzer)
        : base(innerClient)
    {
        _options = options ?? new SemanticCacheOptions();
        OptionsValidation.ThrowIfInvalid(_options, "SemanticCache");
        _timeProvider = timeProvider ?? TimeProvider.System;
        _embeddingGenerator = embeddingGenerator ?? LocalEmbeddingGenerator.Default;
        _index = index ?? new InMemorySemanticCacheIndex(_options.MaxEntries, _timeProvider);
        _metrics = metrics ?? CacheMetrics.Shared;
        _threshold = (float)_options.SimilarityThreshold;
        _sensitivity = sensitivity ?? SensitivityPolicy.Default;
        _analyzer = analyzer ?? RequestAnalyzer.Default;
        _generatorAllowed = SensitivityPolicy.IsAllowed(_embeddingGenerator, _options.EmbeddingGeneratorAllowsSensitiveData);
    }

    /// <summary>Gets the index holding the cached requests (e.g. to remove a tenant's entries).</summary>
    public ISemanticCacheIndex Index => _index;

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        Lookup? lookup = await PrepareAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (lookup is null)
        {
            return await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }

        long start = Stopwatch.GetTimestamp();
        if (await _index.FindNearestAsync(lookup.Scope, lookup.Vector, _threshold, cancellationToken).ConfigureAwait(false) is { } match)
        {
            ChatResponse hit = Replay(match, list, options, start, out RouteInfo? route);
            if (route is not null)
            {
                hit.SetRouteInfo(route);
            }

            return hit;
        }

        _metrics.Miss(CacheMetrics.Semantic, target: null);
        ChatResponse response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        await StoreAsync(lookup, response, response.GetRouteInfo()?.Target, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        Lookup? lookup = await PrepareAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (lookup is null)
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        long start = Stopwatch.GetTimestamp();
        if (await _index.FindNearestAsync(lookup.Scope, lookup.Vector, _threshold, cancellationToken).ConfigureAwait(false) is { } match)
        {
            ChatResponse hit = Replay(match, list, options, start, out RouteInfo? route);
            foreach (ChatResponseUpdate update in hit.ToChatResponseUpdates())
            {
                if (route is not null)
                {
                    update.SetRouteInfo(route);
                }
                else
                {
                    (update.AdditionalProperties ??= [])[CacheHitMarker.Key] = new CacheHitMarker(match.Similarity);
                }

                yield return update;
            }

            yield break;
        }

        _metrics.Miss(CacheMetrics.Semantic, target: null);
        var updates = new List<ChatResponseUpdate>();
        string? target = null;
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            target = update.GetRouteInfo()?.Target ?? target;
            updates.Add(update);
            yield return update;
        }

        // Only reached when the stream completed: failed, cancelled or abandoned streams are never stored.
        await StoreAsync(lookup, updates.ToChatResponse(), target, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && (serviceType == typeof(ISemanticCacheIndex) || serviceType == _index.GetType()) ? _index : base.GetService(serviceType, serviceKey);
    }

    /// <summary>Computes the partition hash of a request: everything that shapes the answer besides the last user message.</summary>
    internal static string ComputePartition(IReadOnlyList<ChatMessage> messages, ChatOptions? options, string? custom, string? user = null)
    {
        var text = new StringBuilder();
        for (int i = 0; i < messages.Count - 1; i++)
        {
            text.Append(messages[i].Role.Value).Append('\u001e').Append(messages[i].Text).Append('\u001f');
        }

        text.Append('\u001d').Append(options?.Instructions)
            .Append('\u001d').Append(options?.ModelId)
            .Append('\u001d').Append(options?.ResponseFormat switch
            {
                null => string.Empty,
                ChatResponseFormatText => "text",
                ChatResponseFormatJson json => "json:" + json.SchemaName + ":" + json.Schema?.GetRawText(),
                { } other => other.GetType().FullName,
            })
            .Append('\u001d').Append(options?.AdditionalProperties?.TryGetValue(RequestMetadataKeys.Tier, out object? tier) == true ? Convert.ToString(tier, System.Globalization.CultureInfo.InvariantCulture) : null)
            .Append('\u001d').Append(custom)
            .Append('\u001d').Append(user is null ? string.Empty : "user:" + user);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())), 0, 16);
    }

    /// <summary>Decides whether the request may use the cache, and embeds it; <see langword="null"/> to pass it through.</summary>
    private async ValueTask<Lookup?> PrepareAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        // Bad input fails here, before it is embedded or stored, with the router's own validation.
        var request = new RoutingRequest(messages, options, _analyzer);
        if (CachedResponses.IsNoCache(options) || options?.ConversationId is not null || options?.Tools is { Count: > 0 })
        {
            return null;
        }

        foreach (ChatMessage message in messages)
        {
            foreach (AIContent content in message.Contents.Indexed())
            {
                if (content is not TextContent)
                {
                    return null;
                }
            }
        }

        ChatMessage last = messages[^1];
        string question = last.Text;
        if (last.Role != ChatRole.User || string.IsNullOrWhiteSpace(question))
        {
            return null;
        }

        // Sensitive requests (the router's one predicate) are never shared across users: they are cached per user, or not at
        // all without a user, and never embedded by a generator that is not allowed to receive them.
        string? user = null;
        if (_sensitivity.IsSensitive(request))
        {
            if (!_generatorAllowed || !_options.CacheSensitiveRequestsPerUser || request.User is not { Length: > 0 } named)
            {
                return null;
            }

            user = named;
        }

        float[] vector;
        if (_embeddingGenerator is LocalEmbeddingGenerator local)
        {
            vector = local.Embed(question);
        }
        else
        {
            ReadOnlyMemory<float> generated = await _embeddingGenerator.GenerateVectorAsync(question, cancellationToken: cancellationToken).ConfigureAwait(false);
            vector = generated.ToArray();
        }

        float norm = TensorPrimitives.Norm(vector);
        if (norm == 0 || !float.IsFinite(norm))
        {
            return null;
        }

        string partition = ComputePartition(messages, options, _options.Partition?.Invoke(messages, options), user);
        var scope = new SemanticCacheScope(CachedResponses.TenantOf(options), partition);
        return new Lookup(scope, vector, user is not null);
    }

    private async ValueTask StoreAsync(Lookup lookup, ChatResponse response, string? target, CancellationToken cancellationToken)
    {
        if (!CachedResponses.IsCacheable(response) || CachedResponses.TrySerialize(response) is not { } serialized)
        {
            return;
        }

        // An answer carrying personal data is kept for its own user only; in a shared scope it is not stored.
        if (!lookup.PerUser && _analyzer.AnalyzeText(response.Text).HasPii)
        {
            return;
        }

        var entry = new SemanticCacheEntry(serialized, target, _timeProvider.GetUtcNow() + _options.TimeToLive);
        await _index.AddAsync(lookup.Scope, lookup.Vector, entry, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new copy of the stored answer, without usage; a route info for it when a router is inside.</summary>
    private ChatResponse Replay(SemanticCacheMatch match, IReadOnlyList<ChatMessage> messages, ChatOptions? options, long start, out RouteInfo? route)
    {
        ChatResponse response = CachedResponses.Deserialize(match.Entry.Response.Span);
        route = null;
        decimal? saved = null;
        if (match.Entry.Target is { } name && InnerClient.GetService(typeof(TargetRegistry)) is TargetRegistry registry && registry.TryGet(name, out RouteTarget? target))
        {
            saved = RoutingCost.Compute(response.Usage, target.Profile);
            DateTimeOffset now = _timeProvider.GetUtcNow();
            route = new RouteInfo(
                Guid.CreateVersion7(now), now, new RoutingRequest(messages, options), new RouteCandidates(registry, [target]),
                RouteDecision.To(target, StrategyName, "a similar request was answered before"), TimeSpan.Zero, baselineProfile: null, baselineTarget: null)
            {
                IsCacheHit = true,
                CacheSimilarity = match.Similarity,
                Outcome = RouteOutcome.Succeeded,
                Cost = 0m,
                Duration = Stopwatch.GetElapsedTime(start),
            };
        }

        _metrics.Hit(CacheMetrics.Semantic, target: null, match.Similarity, saved);
        CachedResponses.WithoutUsage(response);
        if (route is null)
        {
            (response.AdditionalProperties ??= [])[CacheHitMarker.Key] = new CacheHitMarker(match.Similarity);
        }

        return response;
    }

    private sealed record Lookup(SemanticCacheScope Scope, float[] Vector, bool PerUser);
}
