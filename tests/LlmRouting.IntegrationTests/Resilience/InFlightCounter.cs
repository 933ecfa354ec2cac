namespace LlmRouting.IntegrationTests;

/// <summary>Counts calls in flight to the targets (exact under concurrency) and the peak.</summary>
internal sealed class InFlightCounter
{
    private int _current;
    private int _peak;
    private int _total;

    public int Current => Volatile.Read(ref _current);

    public int Peak => Volatile.Read(ref _peak);

    public int Total => Volatile.Read(ref _total);

    public void Enter()
    {
        Interlocked.Increment(ref _total);
        int now = Interlocked.Increment(ref _current);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }
    }

    public void Exit() => Interlocked.Decrement(ref _current);
}
