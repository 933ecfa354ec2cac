using Microsoft.Extensions.Caching.Distributed;

namespace LlmRouting;

/// <summary>The exact cache's L2 over Redis that treats an outage as a miss: a cache may always be skipped, so requests go to the provider and nothing fails.</summary>
internal sealed class FailOpenDistributedCache : IDistributedCache
{
    private readonly IDistributedCache _inner;
    private readonly RedisOutageTracker _outage;

    public FailOpenDistributedCache(IDistributedCache inner, RedisOutageTracker outage)
    {
        _inner = inner;
        _outage = outage;
    }

    public byte[]? Get(string key)
    {
        try
        {
            byte[]? value = _inner.Get(key);
            _outage.Succeeded();
            return value;
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, CancellationToken.None))
        {
            _outage.Failed(ex);
            return null;
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        try
        {
            byte[]? value = await _inner.GetAsync(key, token).ConfigureAwait(false);
            _outage.Succeeded();
            return value;
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, token))
        {
            _outage.Failed(ex);
            return null;
        }
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Try(() => _inner.Set(key, value, options));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        TryAsync(() => _inner.SetAsync(key, value, options, token), token);

    public void Refresh(string key) => Try(() => _inner.Refresh(key));

    public Task RefreshAsync(string key, CancellationToken token = default) => TryAsync(() => _inner.RefreshAsync(key, token), token);

    public void Remove(string key) => Try(() => _inner.Remove(key));

    public Task RemoveAsync(string key, CancellationToken token = default) => TryAsync(() => _inner.RemoveAsync(key, token), token);

    private void Try(Action action)
    {
        try
        {
            action();
            _outage.Succeeded();
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, CancellationToken.None))
        {
            _outage.Failed(ex);
        }
    }

    private async Task TryAsync(Func<Task> action, CancellationToken token)
    {
        try
        {
            await action().ConfigureAwait(false);
            _outage.Succeeded();
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, token))
        {
            _outage.Failed(ex);
        }
    }
}
