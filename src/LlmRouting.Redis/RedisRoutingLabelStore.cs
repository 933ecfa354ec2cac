using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;
using LlmRouting.Learning;

namespace LlmRouting;

/// <summary>An <see cref="IRoutingLabelStore"/> shared by every app instance: one Redis stream, capped at about <see cref="LlmRoutingRedisOptions.LabelCapacity"/> labels.</summary>
/// <remarks>
/// <c>XADD {prefix}labels MAXLEN ~ capacity</c> appends a label as JSON (features and fingerprint; text only when the
/// label carries it); <c>XRANGE</c> reads on from a cursor (the stream id of the last label read, exclusive). The oldest
/// labels are trimmed first. Failures surface as <see cref="RedisStateUnavailableException"/>: the label recorder and the
/// auditor count and log them, never on a caller's path.
/// </remarks>
public sealed class RedisRoutingLabelStore : IRoutingLabelStore
{
    private const string Field = "l";

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKey _key;
    private readonly int _capacity;

    /// <summary>Initializes a new instance of the <see cref="RedisRoutingLabelStore"/> class.</summary>
    /// <param name="redis">The Redis connection.</param>
    /// <param name="options">The settings (key prefix, capacity).</param>
    public RedisRoutingLabelStore(IConnectionMultiplexer redis, LlmRoutingRedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _key = options.KeyPrefix + "labels";
        _capacity = options.LabelCapacity;
    }

    /// <inheritdoc/>
    public async ValueTask AddAsync(RoutingLabel label, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        string json = JsonSerializer.Serialize(label, RedisLabelJsonContext.Default.RoutingLabel);
        try
        {
            await _redis.GetDatabase().StreamAddAsync(_key, Field, json, maxLength: _capacity, useApproximateMaxLength: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, cancellationToken))
        {
            throw new RedisStateUnavailableException("The Redis label store is unavailable.", ex);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<RoutingLabelBatch> ReadAsync(string? cursor, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        StreamEntry[] entries;
        try
        {
            entries = await _redis.GetDatabase().StreamRangeAsync(_key, minId: cursor is null ? "-" : "(" + cursor, maxId: "+", count: maxCount).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, cancellationToken))
        {
            throw new RedisStateUnavailableException("The Redis label store is unavailable.", ex);
        }

        var labels = new List<RoutingLabel>(entries.Length);
        foreach (StreamEntry entry in entries)
        {
            RedisValue json = entry[Field];
            if (!json.IsNull && JsonSerializer.Deserialize((string)json!, RedisLabelJsonContext.Default.RoutingLabel) is { } label)
            {
                labels.Add(label);
            }
        }

        return new RoutingLabelBatch(labels, entries.Length == 0 ? cursor : (string?)entries[^1].Id);
    }

    /// <inheritdoc/>
    public async ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _redis.GetDatabase().StreamLengthAsync(_key).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, cancellationToken))
        {
            throw new RedisStateUnavailableException("The Redis label store is unavailable.", ex);
        }
    }
}

/// <summary>The label's JSON (source-generated: no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RoutingLabel))]
internal sealed partial class RedisLabelJsonContext : JsonSerializerContext;
