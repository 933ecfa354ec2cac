using System.Globalization;

namespace LlmRouting.Learning;

/// <summary>The default <see cref="IRoutingLabelStore"/>: the most recent labels in process memory, the oldest forgotten first.</summary>
/// <remarks>Thread-safe. A cursor is the sequence number of the last label read; a cursor older than the oldest label kept reads from the oldest.</remarks>
public sealed class InMemoryRoutingLabelStore : IRoutingLabelStore
{
    /// <summary>The default capacity.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly RoutingLabel?[] _ring;
    private readonly Lock _gate = new();
    private long _next; // sequence number of the next label; label s is at _ring[s % capacity]

    /// <summary>Initializes a new instance of the <see cref="InMemoryRoutingLabelStore"/> class.</summary>
    /// <param name="capacity">The most labels kept.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive.</exception>
    public InMemoryRoutingLabelStore(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _ring = new RoutingLabel?[capacity];
    }

    /// <summary>Gets the most labels kept.</summary>
    public int Capacity => _ring.Length;

    /// <inheritdoc/>
    public ValueTask AddAsync(RoutingLabel label, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        lock (_gate)
        {
            _ring[_next % _ring.Length] = label;
            _next++;
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask<RoutingLabelBatch> ReadAsync(string? cursor, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        long after = -1;
        if (cursor is not null && !long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            throw new ArgumentException($"'{cursor}' is not a cursor of this store.", nameof(cursor));
        }

        lock (_gate)
        {
            long first = Math.Max(after + 1, Math.Max(0, _next - _ring.Length));
            long end = Math.Min(_next, first + maxCount);
            var labels = new List<RoutingLabel>((int)Math.Max(0, end - first));
            for (long s = first; s < end; s++)
            {
                labels.Add(_ring[s % _ring.Length]!);
            }

            string? next = labels.Count == 0 ? cursor : (end - 1).ToString(CultureInfo.InvariantCulture);
            return new(new RoutingLabelBatch(labels, next));
        }
    }

    /// <inheritdoc/>
    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return new(Math.Min(_next, _ring.Length));
        }
    }
}
