namespace LlmRouting.Execution;

/// <summary>
/// A target's stream whose every move is raced against a token (<see cref="CancellationRace"/>): a move that does not end
/// within the grace after the token is cancelled is abandoned — the stream is disposed once that move ends, on its own — and
/// disposing this enumerator then does nothing.
/// </summary>
/// <typeparam name="T">The update type.</typeparam>
internal sealed class RacedEnumerator<T> : IAsyncEnumerator<T>
{
    private readonly IAsyncEnumerator<T> _inner;
    private readonly CancellationToken _token;
    private int _abandoned;

    /// <param name="inner">The target's stream.</param>
    /// <param name="token">The token that ends the wait.</param>
    public RacedEnumerator(IAsyncEnumerator<T> inner, CancellationToken token)
    {
        _inner = inner;
        _token = token;
    }

    /// <summary>Gets a value indicating whether a move was abandoned (the stream is disposed when it ends).</summary>
    public bool IsAbandoned => Volatile.Read(ref _abandoned) != 0;

    public T Current => _inner.Current;

    public ValueTask<bool> MoveNextAsync()
    {
        ObjectDisposedException.ThrowIf(IsAbandoned, this);
        ValueTask<bool> move = _inner.MoveNextAsync();
        return move.IsCompleted || !_token.CanBeCanceled ? move : RaceAsync(move.AsTask());
    }

    public ValueTask DisposeAsync() => IsAbandoned ? default : _inner.DisposeAsync();

    private async ValueTask<bool> RaceAsync(Task<bool> move)
    {
        try
        {
            return await move.WaitAsync(_token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_token.IsCancellationRequested && !move.IsCompleted)
        {
            return await AbandonUnlessItEndsAsync(move).ConfigureAwait(false);
        }
    }

    /// <summary>The token won: the move's own outcome if it ends within the grace (a cooperative target), else the stream is abandoned.</summary>
    private async Task<bool> AbandonUnlessItEndsAsync(Task<bool> move)
    {
        try
        {
            return await move.WaitAsync(CancellationRace.Grace, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!move.IsCompleted)
        {
            Volatile.Write(ref _abandoned, 1);
            _ = DisposeWhenDoneAsync(move);
            throw new TargetAbandonedException(_token);
        }
    }

#pragma warning disable CA1031 // Nobody waits for an abandoned stream: its failures are observed here and discarded.
    private async Task DisposeWhenDoneAsync(Task<bool> move)
    {
        try
        {
            await move.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The abandoned move's own outcome: the caller already has the time limit's.
        }

        try
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // As above.
        }
    }
#pragma warning restore CA1031
}
