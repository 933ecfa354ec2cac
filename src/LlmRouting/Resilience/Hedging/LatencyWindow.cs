using System.Collections.Concurrent;

namespace LlmRouting.Resilience;

/// <summary>Recent successful latencies per target name (a fixed ring per target) and their percentiles. Thread-safe.</summary>
internal sealed class LatencyWindow
{
    private readonly ConcurrentDictionary<string, Ring> _rings = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _size;

    public LatencyWindow(int size)
    {
        _size = size;
    }

    public void Record(string target, TimeSpan latency) => _rings.GetOrAdd(target, static (_, size) => new Ring(size), _size).Add(latency.Ticks);

    /// <summary>The <paramref name="percentile"/> of the target's recent latencies, or <see langword="null"/> with fewer than <paramref name="minimumSamples"/>.</summary>
    public TimeSpan? Percentile(string target, double percentile, int minimumSamples) =>
        _rings.TryGetValue(target, out Ring? ring) ? ring.Percentile(percentile, minimumSamples) : null;

    private sealed class Ring
    {
        private readonly long[] _ticks;
        private readonly Lock _gate = new();
        private int _count;
        private int _next;

        public Ring(int size)
        {
            _ticks = new long[size];
        }

        public void Add(long ticks)
        {
            lock (_gate)
            {
                _ticks[_next] = ticks;
                _next = (_next + 1) % _ticks.Length;
                _count = Math.Min(_count + 1, _ticks.Length);
            }
        }

        public TimeSpan? Percentile(double percentile, int minimumSamples)
        {
            Span<long> copy = _ticks.Length <= 512 ? stackalloc long[_ticks.Length] : new long[_ticks.Length];
            int count;
            lock (_gate)
            {
                count = _count;
                if (count < Math.Max(1, minimumSamples))
                {
                    return null;
                }

                _ticks.AsSpan(0, count).CopyTo(copy);
            }

            Span<long> samples = copy[..count];
            samples.Sort();
            int index = Math.Clamp((int)Math.Ceiling(percentile * count) - 1, 0, count - 1);
            return TimeSpan.FromTicks(samples[index]);
        }
    }
}
