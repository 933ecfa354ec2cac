using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using LlmRouting.Execution;
using LlmRouting.Resilience;

namespace LlmRouting.Telemetry;

/// <summary>
/// The routing span, as a decorator in the style of MEAI's <see cref="OpenTelemetryChatClient"/>: one <c>llmrouting.route</c>
/// span around each request to the router (so it covers the decision), current while the targets are called (for
/// streams on every step, so provider spans nest under it), tagged from the <see cref="RouteInfo"/> the answer carries.
/// </summary>
/// <remarks>
/// The router itself knows nothing of spans: this decorator reads only what the caller could read. A request that fails
/// before any answer carries the error (status, <c>error.type</c>, outcome); one that fails after updates carries the
/// route those updates (or a <see cref="StreamInterruptedException"/>) carried.
/// </remarks>
internal sealed class RouteSpanChatClient : DelegatingChatClient
{
    private readonly string? _router;

    public RouteSpanChatClient(IChatClient innerClient, string? routerName = null)
        : base(innerClient)
    {
        _router = routerName;
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        LlmRoutingTelemetry.Source.HasListeners()
            ? GetResponseWithSpanAsync(messages, options, cancellationToken)
            : base.GetResponseAsync(messages, options, cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        LlmRoutingTelemetry.Source.HasListeners()
            ? GetStreamingResponseWithSpanAsync(messages, options, cancellationToken)
            : base.GetStreamingResponseAsync(messages, options, cancellationToken);

    private async Task<ChatResponse> GetResponseWithSpanAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        using Activity? activity = StartActivity();
        try
        {
            ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            Tag(activity, response.GetRouteInfo());
            return response;
        }
        catch (Exception ex)
        {
            MarkFailed(activity, ex, route: null, cancellationToken);
            throw;
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseWithSpanAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using Activity? activity = StartActivity();
        IAsyncEnumerator<ChatResponseUpdate> updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        RouteInfo? route = null;
        try
        {
            while (true)
            {
                // An async iterator does not keep ambient state across yields: make the span current again so the
                // targets' own spans (e.g. MEAI's OpenTelemetryChatClient) nest under it on every step.
                Activity.Current = activity;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex)
                {
                    MarkFailed(activity, ex, route, cancellationToken);
                    route = null; // tagged
                    throw;
                }

                route ??= updates.Current.GetRouteInfo();
                yield return updates.Current;
            }
        }
        finally
        {
            // Disposing the router's stream ends the request (abandoned, if the caller stopped early): then its route is final.
            await updates.DisposeAsync().ConfigureAwait(false);
            Tag(activity, route);
        }
    }

    private Activity? StartActivity()
    {
        Activity? activity = LlmRoutingTelemetry.Source.StartActivity(LlmRoutingTelemetry.RouteActivityName, ActivityKind.Internal);
        activity?.SetTag(RoutingTags.OperationName, "chat").SetTag(RoutingTags.ProviderName, "llmrouting");
        if (_router is not null)
        {
            activity?.SetTag(RoutingTags.Router, _router);
        }

        return activity;
    }

    private static void Tag(Activity? activity, RouteInfo? route)
    {
        if (activity is not null && route is not null)
        {
            RoutingMetrics.Tag(activity, route);
        }
    }

    private static void MarkFailed(Activity? activity, Exception exception, RouteInfo? route, CancellationToken cancellationToken)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        activity.SetTag(RoutingTags.ErrorType, exception.GetType().FullName);
        if ((route ?? (exception as StreamInterruptedException)?.Route) is { } known)
        {
            // The router has ended the request before its stream threw: the route is final.
            RoutingMetrics.Tag(activity, known);
        }
        else
        {
            activity.SetTag(RoutingTags.Outcome, RoutingMetrics.Lower(AttemptFailures.RequestOutcome(exception, cancellationToken)));
        }
    }
}
