using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Strategies;
using LlmRouting.Costs;
using LlmRouting.Configuration;

namespace LlmRouting.Accounting;

/// <summary>
/// Wraps one target's client so that every call to it reserves its estimated cost on each budget that applies before
/// it is sent, and settles the reservation with the actual cost afterwards (or releases it when nothing was spent).
/// </summary>
/// <remarks>
/// <para>
/// The estimate is the request's estimated input tokens plus its <see cref="ChatOptions.MaxOutputTokens"/> (or
/// <see cref="CostAwareOptions.ExpectedOutputTokens"/> when unset) at this target's prices. A budget with
/// <see cref="BudgetOptions.RefuseAtLimit"/> grants the reservation only if spent plus reserved plus the estimate stays
/// within its limit; otherwise the call is refused with <see cref="BudgetExceededException"/> before anything is sent.
/// Other budgets always grant, and their holds count towards the utilisation the cost-aware strategy degrades on.
/// </para>
/// <para>
/// Settled with the provider's reported usage; when it reported none, with an estimate (estimated input plus the
/// tokens of the answer). A failed or cancelled call releases its reservation; a stream that fails, is cancelled or
/// abandoned after output settles what it streamed. Each call is its own reservation (one id per attempt), so retries,
/// fallbacks and hedges each hold and settle their own. Settling never fails the caller's request: a store error is logged.
/// Thread-safe.
/// </para>
/// </remarks>
public sealed partial class BudgetReservingChatClient : DelegatingChatClient
{
    private readonly TargetProfile _profile;
    private readonly CostAwareOptions _options;
    private readonly IBudgetStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="BudgetReservingChatClient"/> class.</summary>
    /// <param name="innerClient">The target's client.</param>
    /// <param name="profile">The target's profile (its prices).</param>
    /// <param name="options">The budgets, the expected output length and the reservation timeout.</param>
    /// <param name="store">The budget store shared with the cost-aware strategy.</param>
    /// <param name="timeProvider">The clock for budget windows and reservation expiry; the default is <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range (each failure names its field).</exception>
    public BudgetReservingChatClient(IChatClient innerClient, TargetProfile profile, CostAwareOptions options, IBudgetStore store, TimeProvider? timeProvider = null, ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        OptionsValidation.ThrowIfInvalid(options, CostAwareStrategy.OptionsPath);
        _profile = profile;
        _options = options;
        _store = store;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!AnyBudgetApplies(options))
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var request = new RoutingRequest(messages, options);
        Hold[] holds = await ReserveAsync(request, cancellationToken).ConfigureAwait(false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(request.Messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync(holds).ConfigureAwait(false);
            throw;
        }

        decimal cost = RoutingCost.Compute(response.Usage, _profile)
            ?? RoutingCost.Compute(request.EstimatedInputTokens, TokenEstimator.Estimate(response.Text), 0, _profile);
        await SettleAsync(holds, cost).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        AnyBudgetApplies(options)
            ? StreamAsync(new RoutingRequest(messages, options), options, cancellationToken)
            : base.GetStreamingResponseAsync(messages, options, cancellationToken);

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(RoutingRequest request, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Hold[] holds = await ReserveAsync(request, cancellationToken).ConfigureAwait(false);
        var usage = new StreamUsage();
        long start = Stopwatch.GetTimestamp();
        bool completed = false;
        IAsyncEnumerator<ChatResponseUpdate>? e = null;
        try
        {
            e = base.GetStreamingResponseAsync(request.Messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (await e.MoveNextAsync().ConfigureAwait(false))
            {
                usage.Observe(e.Current, start);
                yield return e.Current;
            }

            completed = true;
        }
        finally
        {
            if (e is not null)
            {
                await e.DisposeAsync().ConfigureAwait(false);
            }

            if (completed || usage.HasOutput)
            {
                // Completed, or broken/cancelled/abandoned after output: the provider bills what it streamed.
                decimal cost = RoutingCost.Compute(usage.Total, _profile)
                    ?? RoutingCost.Compute(request.EstimatedInputTokens, usage.EstimatedOutputTokens, 0, _profile);
                await SettleAsync(holds, cost).ConfigureAwait(false);
            }
            else
            {
                await ReleaseAsync(holds).ConfigureAwait(false);
            }
        }
    }

    private bool AnyBudgetApplies(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { Count: > 0 } props)
        {
            return false;
        }

        foreach (BudgetOptions budget in _options.Budgets.Indexed())
        {
            if (props.TryGetValue(budget.ScopeKey, out object? value) && value is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reserves the estimate on every budget that applies, or on none: a refusal or a store failure releases what was already held.</summary>
    private async ValueTask<Hold[]> ReserveAsync(RoutingRequest request, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        decimal estimate = _options.ReservationEstimate(request, _profile);
        string id = RouteIds.NewVersion7(now).ToString("N", CultureInfo.InvariantCulture);
        var holds = new List<Hold>(_options.Budgets.Count);
        try
        {
            foreach (BudgetOptions budget in _options.Budgets)
            {
                if (request.Metadata(budget.ScopeKey) is not { Length: > 0 } scope)
                {
                    continue;
                }

                (DateTimeOffset _, DateTimeOffset end) = budget.WindowAt(now);
                string key = budget.KeyAt(scope, now);
                BudgetReservationResult result = await _store.ReserveAsync(
                    new BudgetReservation(key, id, estimate, budget.RefuseAtLimit ? budget.Limit : null, now + _options.ReservationTimeout, end),
                    cancellationToken).ConfigureAwait(false);
                if (!result.IsGranted)
                {
                    throw new BudgetExceededException(budget.ScopeKey, scope, budget.Period, budget.Limit, result.Balance, estimate, end);
                }

                holds.Add(new Hold(budget, key, id, end));
            }
        }
        catch
        {
            await ReleaseAsync([.. holds]).ConfigureAwait(false);
            throw;
        }

        return [.. holds];
    }

    private async ValueTask SettleAsync(Hold[] holds, decimal cost)
    {
        foreach (Hold hold in holds)
        {
            try
            {
                await _store.SettleAsync(hold.Key, hold.Id, cost, hold.WindowEnd, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The call has been made and billed: a store failure must not fail the caller's answer; it is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogSettleFailed(_logger, ex, hold.Budget.ScopeKey);
            }
        }
    }

    private async ValueTask ReleaseAsync(Hold[] holds)
    {
        foreach (Hold hold in holds)
        {
            try
            {
                await _store.ReleaseAsync(hold.Key, hold.Id, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The caller gets the call's own error; an unreleased hold expires at its timeout. Logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogReleaseFailed(_logger, ex, hold.Budget.ScopeKey);
            }
        }
    }

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "Could not settle a budget reservation scoped by '{ScopeKey}'; it is released when it expires and the spend is not recorded.")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string scopeKey);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Could not release a budget reservation scoped by '{ScopeKey}'; it is held until it expires.")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string scopeKey);

    private readonly record struct Hold(BudgetOptions Budget, string Key, string Id, DateTimeOffset WindowEnd);
}
