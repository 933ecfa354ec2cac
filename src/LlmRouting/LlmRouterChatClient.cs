using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Diagnostics;
using LlmRouting.Execution;
using LlmRouting.Learning;
using LlmRouting.Telemetry;

namespace LlmRouting;

/// <summary>
/// An <see cref="IChatClient"/> that decides, per request and locally, which target answers: it analyses the
/// request, filters the targets that cannot serve it, asks the strategy chain, and sends the request on.
/// </summary>
/// <remarks>
/// <para>
/// Derives from Microsoft.Extensions.AI's <see cref="RoutingChatClient"/>: the decision is made in
/// <see cref="SelectClientAsync"/>, and the base keeps its semantics (one options clone per request, the
/// caller's options never mutated, caller cancellation ends the request).
/// </para>
/// <para>
/// Every response and streaming update carries a <see cref="RouteInfo"/> (target, strategy, reason,
/// candidates, attempts, usage, cost); read it with <see cref="RouteInfoExtensions.GetRouteInfo(ChatResponse)"/>.
/// The router never logs prompt or response text. It is thread-safe; a configuration reload swaps the whole
/// routing state atomically, so a request sees either the old or the new configuration, never a mix.
/// </para>
/// </remarks>
public sealed partial class LlmRouterChatClient : RoutingChatClient
{
    private readonly bool _leaveOpen;
    private readonly IDisposable? _reloadSubscription;
    private volatile RouterState _state;
    private volatile RouteSpanChatClient? _spans;

    /// <summary>Initializes a new instance of the <see cref="LlmRouterChatClient"/> class.</summary>
    /// <param name="registry">The targets.</param>
    /// <param name="defaultTarget">The target that serves requests no strategy decides.</param>
    /// <param name="strategies">The strategy chain, in order.</param>
    /// <param name="options">Optional settings.</param>
    /// <exception cref="ArgumentException"><paramref name="defaultTarget"/> or the baseline is not a target.</exception>
    public LlmRouterChatClient(TargetRegistry registry, string defaultTarget, IEnumerable<IRoutingStrategy>? strategies = null, LlmRouterChatClientOptions? options = null)
        : this(CreateState(registry, defaultTarget, strategies, options ?? new()), options?.LeaveOpen ?? false, reload: null)
    {
    }

    internal LlmRouterChatClient(RouterState state, bool leaveOpen, Func<Action<RouterState>, IDisposable?>? reload)
    {
        _state = state;
        _spans = CreateSpans(state);
        _leaveOpen = leaveOpen;
        _reloadSubscription = reload?.Invoke(Swap);
    }

    /// <summary>Gets the targets the router sends to.</summary>
    public TargetRegistry Registry => _state.Registry;

    /// <summary>Gets the strategy chain, in order.</summary>
    public IReadOnlyList<IRoutingStrategy> Strategies => _state.Strategies;

    /// <summary>Gets the candidate filters, in order.</summary>
    public IReadOnlyList<IRouteCandidateFilter> Filters => _state.Filters;

    /// <summary>Gets the target that serves requests no strategy decides.</summary>
    public RouteTarget DefaultTarget => _state.DefaultTarget;

    /// <summary>Gets the executor the builder composed (direct, or fallback with hedging, continuation and escalation).</summary>
    internal RouteExecutor Executor => _state.Executor;

    /// <summary>Decides where a request would go without sending it (a dry run, e.g. for evaluation or an "explain" endpoint).</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The request options.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The route, with <see cref="RouteInfo.Outcome"/> <see cref="RouteOutcome.Pending"/>.</returns>
    /// <exception cref="NoRouteAvailableException">No target can serve the request.</exception>
    public async ValueTask<RouteInfo> DecideAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        RouteInvocation invocation = await RouteAsync(_state, messages, options?.Clone(), cancellationToken).ConfigureAwait(false);
        var route = (RouteInfo)invocation.GetService(typeof(RouteInfo))!;
        Agents.AgentSessions.TakeBack(route.Request); // a dry run is not a step of its session
        return route;
    }

    /// <summary>Records how good a routed answer was (user thumbs, a judge's score, task success), for the ledger of outcomes and learning strategies.</summary>
    /// <param name="routeId">The <see cref="RouteInfo.RouteId"/> of the answer.</param>
    /// <param name="score">The outcome, from 0 (bad) to 1 (good).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Whether the outcome was recorded, or why not (unknown, expired, already recorded).</returns>
    /// <exception cref="InvalidOperationException">Outcome feedback is not enabled (<c>UseOutcomeFeedback()</c>).</exception>
    public ValueTask<RouteFeedbackResult> RecordOutcomeAsync(string routeId, double score, CancellationToken cancellationToken = default) =>
        this.GetService<RouteFeedback>() is { } feedback
            ? feedback.RecordOutcomeAsync(routeId, score, cancellationToken)
            : throw new InvalidOperationException("Outcome feedback is not enabled for this router: add .UseOutcomeFeedback() to AddLlmRouter (or a RouteFeedback to LlmRouterChatClientOptions.Observers).");

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        _spans is { } spans ? spans.GetResponseAsync(messages, options, cancellationToken) : base.GetResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        _spans is { } spans ? spans.GetStreamingResponseAsync(messages, options, cancellationToken) : base.GetStreamingResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        RouterState state = _state;
        if (serviceKey is null)
        {
            if (serviceType == typeof(ChatClientMetadata))
            {
                return Metadata;
            }

            if (serviceType == typeof(TargetRegistry))
            {
                return state.Registry;
            }

            if (serviceType.IsInstanceOfType(this))
            {
                return this;
            }

            foreach (IRouteObserver observer in state.Observers)
            {
                // The observers are part of the router's pipeline: GetService(typeof(RouteFeedback)) reaches outcome feedback.
                if (serviceType.IsInstanceOfType(observer))
                {
                    return observer;
                }
            }
        }
        else if (serviceKey is string name && state.Registry.TryGet(name, out RouteTarget? target))
        {
            // GetService(typeof(IChatClient), "premium") reaches into one target's pipeline.
            return serviceType == typeof(RouteTarget) ? target : target.Client.GetService(serviceType);
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    protected override ValueTask<IChatClient> SelectClientAsync(RoutingContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ValueTask<RouteInvocation> routing = RouteAsync(_state, context.Messages, context.ChatOptions, cancellationToken);
        return routing.IsCompletedSuccessfully ? new(routing.Result) : AwaitRoute(routing);

        static async ValueTask<IChatClient> AwaitRoute(ValueTask<RouteInvocation> pending) => await pending.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reloadSubscription?.Dispose();
            if (!_leaveOpen)
            {
                foreach (RouteTarget target in _state.Registry.Targets)
                {
                    target.Client.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    private static ValueTask<RouteInvocation> RouteAsync(RouterState state, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        var request = new RoutingRequest(messages, options, state.Analyzer);
        RouteCandidates candidates = RouteCandidates.Filter(state.Registry, state.Filters, request);
        if (candidates.Count == 0)
        {
            Log.NoRoute(state.Logger, string.Join("; ", candidates.Rejections));
            throw new NoRouteAvailableException(candidates.Rejections);
        }

        // A caller's pin is found first, so that the agent bookkeeping sees it (loop detection still applies to a pinned call).
        RouteDecision? pinned = request.Options?.ModelId is { } requested ? Pinned(state, requested, candidates) : null;
        if (state.Agents is { } agents)
        {
            // Sessions, affinity and loop detection come before the strategies: a conversation that stays is not re-decided.
            ValueTask<RouteDecision?> begun = agents.BeginAsync(request, candidates, state.Registry, pinned, cancellationToken);
            if (!begun.IsCompletedSuccessfully)
            {
                return AfterAgentsAsync(state, request, candidates, begun, pinned, start, cancellationToken);
            }

            if (begun.Result is { } kept)
            {
                return new(CreateInvocation(state, request, candidates, kept, start));
            }
        }

        return pinned is not null ? new(CreateInvocation(state, request, candidates, pinned, start)) : RunChain(state, request, candidates, start, cancellationToken);
    }

    private static async ValueTask<RouteInvocation> AfterAgentsAsync(
        RouterState state, RoutingRequest request, RouteCandidates candidates, ValueTask<RouteDecision?> begun, RouteDecision? pinned, long start, CancellationToken cancellationToken) =>
        (await begun.ConfigureAwait(false) ?? pinned) is { } kept
            ? CreateInvocation(state, request, candidates, kept, start)
            : await RunChain(state, request, candidates, start, cancellationToken).ConfigureAwait(false);

    private static ValueTask<RouteInvocation> RunChain(RouterState state, RoutingRequest request, RouteCandidates candidates, long start, CancellationToken cancellationToken)
    {
        // Fast path: every strategy answers synchronously (rules, classifier, cost tables) — no async machinery.
        IReadOnlyList<IRoutingStrategy> strategies = state.Strategies;
        for (int i = 0; i < strategies.Count; i++)
        {
            ValueTask<RouteDecision?> pending = strategies[i].DecideAsync(request, candidates, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return ContinueAsync(state, request, candidates, pending, i, start, cancellationToken);
            }

            if (Accept(state, strategies[i], pending.Result, candidates) is { } decision)
            {
                return new(CreateInvocation(state, request, candidates, decision, start));
            }
        }

        return new(CreateInvocation(state, request, candidates, Fallback(state, candidates), start));
    }

    private static async ValueTask<RouteInvocation> ContinueAsync(
        RouterState state, RoutingRequest request, RouteCandidates candidates, ValueTask<RouteDecision?> pending, int index, long start, CancellationToken cancellationToken)
    {
        IReadOnlyList<IRoutingStrategy> strategies = state.Strategies;
        if (Accept(state, strategies[index], await pending.ConfigureAwait(false), candidates) is { } decided)
        {
            return CreateInvocation(state, request, candidates, decided, start);
        }

        for (int i = index + 1; i < strategies.Count; i++)
        {
            RouteDecision? decision = await strategies[i].DecideAsync(request, candidates, cancellationToken).ConfigureAwait(false);
            if (Accept(state, strategies[i], decision, candidates) is { } accepted)
            {
                return CreateInvocation(state, request, candidates, accepted, start);
            }
        }

        return CreateInvocation(state, request, candidates, Fallback(state, candidates), start);
    }

    private static RouteInvocation CreateInvocation(RouterState state, RoutingRequest request, RouteCandidates candidates, RouteDecision decision, long start)
    {
        if (state.Agents is { } agents)
        {
            decision = agents.Adjust(request, candidates, state.Registry, decision);
        }

        DateTimeOffset now = state.TimeProvider.GetUtcNow();
        var route = new RouteExecution(RouteIds.NewVersion7(now), now, request, candidates, decision, Stopwatch.GetElapsedTime(start), state.Baseline, state.Executor.ChainBuilder);
        if (state.Logger.IsEnabled(LogLevel.Debug))
        {
            Log.Routed(state.Logger, route.Info.RouteId, decision.Primary.Name, decision.Strategy, decision.Reason, candidates.Count, candidates.Rejections.Count);
        }

        return new RouteInvocation(state, route, start);
    }

    private void Swap(RouterState state)
    {
        _state = state;
        _spans = CreateSpans(state);
        Log.Reloaded(state.Logger, state.Registry.Count, state.Strategies.Count);
    }

    /// <summary>With telemetry on, the routing span decorates the router's own pipeline (<see cref="Core"/>).</summary>
    private RouteSpanChatClient? CreateSpans(RouterState state) => !state.Traced ? null : new RouteSpanChatClient(new Core(this), state.RouterName);

    private Task<ChatResponse> CoreResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        base.GetResponseAsync(messages, options, cancellationToken);

    private IAsyncEnumerable<ChatResponseUpdate> CoreStreamAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        base.GetStreamingResponseAsync(messages, options, cancellationToken);

    // No default model id: the model is chosen per request, so a span opened above the router (MEAI's UseOpenTelemetry) is
    // named "chat" rather than after the default target, and the served model is on the response (gen_ai.response.model).
    private static readonly ChatClientMetadata Metadata = new("llmrouting", providerUri: null, defaultModelId: null);

    private static RouterState CreateState(TargetRegistry registry, string defaultTarget, IEnumerable<IRoutingStrategy>? strategies, LlmRouterChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultTarget);
        return RouterFactory.CreateState(
            registry,
            options.Filters,
            strategies ?? [],
            defaultTarget,
            options.Baseline,
            DirectRouteExecutor.Instance,
            options.Observers,
            options.TimeProvider,
            options.LoggerFactory?.CreateLogger<LlmRouterChatClient>() ?? NullLogger<LlmRouterChatClient>.Instance,
            options.EnableTelemetry ? SharedMetrics.Value : null,
            options.Analyzer,
            options.CallerModelIds);
    }

    /// <summary>Routers built without DI share one set of instruments on a process-wide meter.</summary>
    private static readonly Lazy<RoutingMetrics> SharedMetrics = new(() => new RoutingMetrics());

    /// <summary>The router without its span: what <see cref="RouteSpanChatClient"/> decorates.</summary>
    private sealed class Core(LlmRouterChatClient router) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            router.CoreResponseAsync(messages, options, cancellationToken);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            router.CoreStreamAsync(messages, options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null) => router.GetService(serviceType, serviceKey);

        public void Dispose()
        {
            // The router owns the targets; nothing to release here.
        }
    }
}
