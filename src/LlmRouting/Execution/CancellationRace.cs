using Microsoft.Extensions.AI;

namespace LlmRouting.Execution;

/// <summary>
/// Ends a wait on a target on time whether or not the target observes its token: the call is raced against the token, and
/// a call that loses is abandoned — its eventual result or failure is observed, never awaited by the caller, never counted.
/// </summary>
/// <remarks>
/// A call that completes at once, or a token that cannot be cancelled, costs nothing: the call's own task is returned.
/// When the token is cancelled the call gets <see cref="Grace"/> to end on its own (a cooperative client aborts its request in
/// far less): a call that ends within it keeps its own outcome; otherwise the caller gets a <see cref="TargetAbandonedException"/>
/// (an <see cref="OperationCanceledException"/>) and the call is abandoned.
/// </remarks>
internal static class CancellationRace
{
    /// <summary>How long a cancelled call may take to end on its own before it is abandoned.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(50);

    /// <summary>Calls <paramref name="client"/> and races the call against <paramref name="token"/>.</summary>
    public static Task<ChatResponse> GetResponseAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token)
    {
        Task<ChatResponse> call = client.GetResponseAsync(messages, options, token);
        return Race(call, token);
    }

    /// <summary>Races <paramref name="call"/> against <paramref name="token"/>; returns the call itself when there is nothing to race.</summary>
    public static Task<T> Race<T>(Task<T> call, CancellationToken token) =>
        call.IsCompleted || !token.CanBeCanceled ? call : RaceAsync(call, token);

    private static async Task<T> RaceAsync<T>(Task<T> call, CancellationToken token)
    {
        try
        {
            return await call.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !call.IsCompleted)
        {
            // The token won: the call's own outcome if it ends within the grace (a cooperative target), else abandoned.
            try
            {
                return await call.WaitAsync(Grace, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!call.IsCompleted)
            {
                Observe(call);
                throw new TargetAbandonedException(token);
            }
        }
    }

    /// <summary>Observes an abandoned call's eventual failure, so it never surfaces as an unobserved task exception.</summary>
    public static void Observe(Task call) =>
        call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Whether <paramref name="failure"/> (or an exception it wraps) is a call the router abandoned because its target ignored cancellation.</summary>
    public static bool IsAbandoned(Exception? failure)
    {
        for (; failure is not null; failure = failure.InnerException)
        {
            if (failure is TargetAbandonedException)
            {
                return true;
            }
        }

        return false;
    }
}
