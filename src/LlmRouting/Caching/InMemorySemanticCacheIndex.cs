using System.Numerics;
using System.Numerics.Tensors;

namespace LlmRouting.Caching;

/// <summary>
/// The default <see cref="ISemanticCacheIndex"/>: unit vectors in one contiguous row-major matrix, searched by
/// SIMD brute force (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per candidate row of the scope).
/// </summary>
/// <remarks>
/// <para>
/// Each row also has a 256-bit SimHash signature (signs of 256 fixed random projections). A lookup first scans the
/// signatures (32 bytes a row instead of 4 per dimension) and computes the exact cosine only for rows whose Hamming
/// distance is compatible with the threshold: a bit differs with probability θ/π for vectors at angle θ, and the cut-off
/// lies 6 standard deviations above the distance expected at the threshold, so an entry at or above the threshold is
/// skipped with probability below 10⁻⁹. The similarity returned is always the exact cosine. With a threshold of 0 or
/// less every row of the scope is compared. Entries expire at their
/// <see cref="SemanticCacheEntry.ExpiresAt"/> (read from the <see cref="TimeProvider"/>); when the index is full, an
/// expired entry's slot is reused, else the oldest entry is evicted. Memory: <c>MaxEntries × dimensions × 4</c> bytes
/// at most, allocated as entries arrive; a scope (tenant and partition) is forgotten with its last entry, so the
/// bookkeeping never holds more than <see cref="MaxEntries"/> scopes however many conversations pass.
/// </para>
/// <para>Thread-safe: lookups run in parallel under a reader lock, inserts and removals take the writer lock.</para>
/// </remarks>
public sealed partial class InMemorySemanticCacheIndex : ISemanticCacheIndex, IDisposable
{
    /// <summary>The default maximum number of entries.</summary>
    public const int DefaultMaxEntries = 10_000;

    private const int FreeSlot = -1;
    private const int SignatureBits = 256;
    private const int SignatureWords = SignatureBits / 64;
    private const int HyperplaneSeed = 0x5EED;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<SemanticCacheScope, int> _scopeIds = [];
    private readonly List<SemanticCacheScope> _scopes = [];
    private readonly List<int> _scopeEntries = [];
    private readonly Stack<int> _freeScopeIds = new();
    private readonly Stack<int> _freeSlots = new();
    private float[] _matrix = [];
    private float[] _hyperplanes = [];
    private ulong[] _signatures = [];
    private int[] _slotScopes = [];
    private long[] _expiresAt = [];
    private long[] _insertedAt = [];
    private SemanticCacheEntry?[] _entries = [];
    private int _dimensions;
    private int _highWater;
    private int _count;
    private long _sequence;

    /// <summary>Initializes a new instance of the <see cref="InMemorySemanticCacheIndex"/> class.</summary>
    /// <param name="maxEntries">The most entries kept; at least 1.</param>
    /// <param name="timeProvider">The clock for expiry; the default is <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEntries"/> is less than 1.</exception>
    public InMemorySemanticCacheIndex(int maxEntries = DefaultMaxEntries, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        MaxEntries = maxEntries;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the most entries kept.</summary>
    public int MaxEntries { get; }

    /// <summary>Gets the number of stored entries, expired ones included until their slot is reused.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheScope scope, ReadOnlyMemory<float> vector, float minSimilarity, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope);
        cancellationToken.ThrowIfCancellationRequested();
        return new(FindNearest(scope, vector.Span, minSimilarity));
    }

    /// <summary>Finds the nearest live entry in <paramref name="scope"/> synchronously.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="vector">The query vector.</param>
    /// <param name="minSimilarity">The lowest similarity worth returning.</param>
    /// <returns>The match, or <see langword="null"/>.</returns>
    public SemanticCacheMatch? FindNearest(SemanticCacheScope scope, ReadOnlySpan<float> vector, float minSimilarity)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm == 0 || !float.IsFinite(norm))
        {
            return null;
        }

        long now = _timeProvider.GetUtcNow().UtcTicks;
        int cutoff = HammingCutoff(minSimilarity);
        Span<ulong> query = stackalloc ulong[SignatureWords];
        _lock.EnterReadLock();
        try
        {
            if (_count == 0 || !_scopeIds.TryGetValue(scope, out int scopeId))
            {
                return null;
            }

            EnsureDimensions(vector);
            int dimensions = _dimensions;
            Sign(vector, query);
            ulong q0 = query[0], q1 = query[1], q2 = query[2], q3 = query[3];
            ReadOnlySpan<float> matrix = _matrix;
            ReadOnlySpan<ulong> signatures = _signatures;
            ReadOnlySpan<int> scopes = _slotScopes.AsSpan(0, _highWater);
            ReadOnlySpan<long> expiresAt = _expiresAt;
            int best = -1;
            float bestDot = float.NegativeInfinity;
            for (int i = 0; i < scopes.Length; i++)
            {
                if (scopes[i] != scopeId || expiresAt[i] <= now)
                {
                    continue;
                }

                int s = i * SignatureWords;
                int distance = BitOperations.PopCount(signatures[s] ^ q0) + BitOperations.PopCount(signatures[s + 1] ^ q1) +
                               BitOperations.PopCount(signatures[s + 2] ^ q2) + BitOperations.PopCount(signatures[s + 3] ^ q3);
                if (distance > cutoff)
                {
                    continue;
                }

                float dot = TensorPrimitives.Dot(matrix.Slice(i * dimensions, dimensions), vector);
                if (dot > bestDot)
                {
                    bestDot = dot;
                    best = i;
                }
            }

            float similarity = bestDot / norm;
            return best >= 0 && similarity >= minSimilarity ? new SemanticCacheMatch(_entries[best]!, similarity) : null;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc/>
    public ValueTask AddAsync(SemanticCacheScope scope, ReadOnlyMemory<float> vector, SemanticCacheEntry entry, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope);
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        Add(scope, vector.Span, entry);
        return ValueTask.CompletedTask;
    }

    /// <summary>Stores an entry synchronously.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="vector">The request embedding; must not be all zeros.</param>
    /// <param name="entry">The answer.</param>
    /// <exception cref="ArgumentException">The vector is zero, not finite, or its length differs from earlier vectors.</exception>
    public void Add(SemanticCacheScope scope, ReadOnlySpan<float> vector, SemanticCacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        float norm = TensorPrimitives.Norm(vector);
        if (norm == 0 || !float.IsFinite(norm))
        {
            throw new ArgumentException("A semantic-cache vector must be finite and not all zeros.", nameof(vector));
        }

        long now = _timeProvider.GetUtcNow().UtcTicks;
        _lock.EnterWriteLock();
        try
        {
            if (_dimensions == 0)
            {
                _dimensions = vector.Length;
                _hyperplanes = CreateHyperplanes(vector.Length);
            }

            EnsureDimensions(vector);

            // The scope is held before a slot is taken, so evicting its own last entry cannot retire it.
            int scopeId = AcquireScope(scope);
            int slot = TakeSlot(now);
            if (_slotScopes[slot] != FreeSlot)
            {
                ReleaseScope(_slotScopes[slot]);
            }
            TensorPrimitives.Divide(vector, norm, _matrix.AsSpan(slot * _dimensions, _dimensions));
            Sign(vector, _signatures.AsSpan(slot * SignatureWords, SignatureWords));
            _slotScopes[slot] = scopeId;
            _expiresAt[slot] = entry.ExpiresAt.UtcTicks;
            _insertedAt[slot] = _sequence++;
            _entries[slot] = entry;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <inheritdoc/>
    public ValueTask<int> RemoveTenantAsync(string tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        _lock.EnterWriteLock();
        try
        {
            int removed = 0;
            for (int i = 0; i < _highWater; i++)
            {
                if (_slotScopes[i] != FreeSlot && string.Equals(_scopes[_slotScopes[i]].Tenant, tenant, StringComparison.Ordinal))
                {
                    Free(i);
                    removed++;
                }
            }

            return new(removed);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _lock.Dispose();

    private static void ValidateScope(SemanticCacheScope scope)
    {
        if (scope.Tenant is null || scope.Partition is null)
        {
            throw new ArgumentException("A semantic-cache scope needs a tenant and a partition (use the empty string for none).", nameof(scope));
        }
    }

    private void EnsureDimensions(ReadOnlySpan<float> vector)
    {
        if (vector.Length != _dimensions)
        {
            throw new ArgumentException($"This index holds {_dimensions}-dimension vectors; got {vector.Length}. Use one embedding generator per index.", nameof(vector));
        }
    }

    /// <summary>A free slot, a new one, an expired one, or the oldest entry's (evicted); called under the writer lock.</summary>
    private int TakeSlot(long now)
    {
        if (_freeSlots.TryPop(out int free))
        {
            _count++;
            return free;
        }

        if (_highWater < MaxEntries)
        {
            if (_highWater == _slotScopes.Length)
            {
                Grow();
            }

            _count++;
            return _highWater++;
        }

        int oldest = 0;
        for (int i = 0; i < _highWater; i++)
        {
            if (_expiresAt[i] <= now)
            {
                return i;
            }

            if (_insertedAt[i] < _insertedAt[oldest])
            {
                oldest = i;
            }
        }

        return oldest;
    }

    /// <summary>The id of <paramref name="scope"/>, created (or a retired id reused) when it holds no entry yet, with one more entry counted; under the writer lock.</summary>
    private int AcquireScope(SemanticCacheScope scope)
    {
        if (!_scopeIds.TryGetValue(scope, out int scopeId))
        {
            if (_freeScopeIds.TryPop(out scopeId))
            {
                _scopes[scopeId] = scope;
                _scopeEntries[scopeId] = 0;
            }
            else
            {
                scopeId = _scopes.Count;
                _scopes.Add(scope);
                _scopeEntries.Add(0);
            }

            _scopeIds.Add(scope, scopeId);
        }

        _scopeEntries[scopeId]++;
        return scopeId;
    }

    /// <summary>Counts one entry less in a scope; a scope left without entries is forgotten, so bookkeeping stays within <see cref="MaxEntries"/> scopes.</summary>
    private void ReleaseScope(int scopeId)
    {
        if (--_scopeEntries[scopeId] > 0)
        {
            return;
        }

        _scopeIds.Remove(_scopes[scopeId]);
        _scopes[scopeId] = default;
        _freeScopeIds.Push(scopeId);
    }

    /// <summary>Gets the number of scopes the index keeps bookkeeping for (at most one per live slot).</summary>
    internal int ScopeCount
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _scopeIds.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    private void Grow()
    {
        int capacity = (int)Math.Min(MaxEntries, Math.Max(64L, _slotScopes.Length * 2L));
        float[] matrix = GC.AllocateUninitializedArray<float>(checked(capacity * _dimensions));
        _matrix.AsSpan().CopyTo(matrix);
        _matrix = matrix;
        Array.Resize(ref _signatures, capacity * SignatureWords);
        int previous = _slotScopes.Length;
        Array.Resize(ref _slotScopes, capacity);
        _slotScopes.AsSpan(previous).Fill(FreeSlot);
        Array.Resize(ref _expiresAt, capacity);
        Array.Resize(ref _insertedAt, capacity);
        Array.Resize(ref _entries, capacity);
    }

    private void Free(int slot)
    {
        ReleaseScope(_slotScopes[slot]);
        _slotScopes[slot] = FreeSlot;
        _expiresAt[slot] = long.MinValue;
        _entries[slot] = null;
        _freeSlots.Push(slot);
        _count--;
    }
}
