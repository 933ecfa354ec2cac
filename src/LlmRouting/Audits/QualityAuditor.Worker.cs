using LlmRouting.Statistics;
using LlmRouting.Costs;
using Microsoft.Extensions.AI;
using LlmRouting.Accounting;
using LlmRouting.Diagnostics;
using LlmRouting.Learning;

namespace LlmRouting.Audits;

/// <summary>The audit workers: reference call, comparison, label, accounting.</summary>
public sealed partial class QualityAuditor
{
    private async Task WorkAsync()
    {
        Auditing.Value = true; // the audit's own calls are never captured for another audit
        try
        {
            await foreach (AuditJob job in _queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                await RunAsync(job).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutdown: queued audits were counted as cancelled by Stop.
        }
    }

    private async Task RunAsync(AuditJob job)
    {
        RouteInfo route = job.Route;
        decimal cost = 0m;
        AuditVerdict? verdict = null;
        try
        {
            ChatResponse reference;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                timeout.CancelAfter(_options.ReferenceTimeout);
                reference = await job.Reference.Client.GetResponseAsync(route.Request.Messages, route.Request.Options?.Clone(), timeout.Token).ConfigureAwait(false);
            }

            cost += RoutingCost.Compute(reference.Usage, job.Reference.Profile) ?? 0m;
            IAnswerComparer comparer = _comparer ?? new JudgeAnswerComparer(job.Judge!.Client, job.Judge.Profile, _options.JudgeTimeout);
            AnswerComparisonResult result = await comparer.CompareAsync(
                new AnswerComparison(route.Request.Messages, job.Answer, reference.Text, route.Target, job.Reference.Name), _stopping.Token).ConfigureAwait(false);
            cost += result.Cost;
            verdict = result.Verdict;
            RoutingLabel label = _labels.Create(route, RoutingLabelSource.Audit, PremiumNeed(result.Verdict), Score(result.Verdict)) with { Reference = job.Reference.Name };
            await _labels.RecordAsync(label, _stopping.Token).ConfigureAwait(false);
            Log.AuditCompleted(_logger, route.RouteId, route.Target, job.Reference.Name, result.Verdict);
            await AccountAsync(job, verdict, cost).ConfigureAwait(false);
            Ended(job, verdict, ref _completed, "completed", cost);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            await AccountAsync(job, verdict, cost).ConfigureAwait(false);
            Ended(job, null, ref _cancelled, "cancelled", cost);
        }
#pragma warning disable CA1031 // An audit's failure (reference, judge, parse contract, label store) must never surface anywhere but the counters and the log.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.AuditFailed(_logger, route.RouteId, job.Reference.Name, ex.GetType().Name);
            await AccountAsync(job, verdict, cost).ConfigureAwait(false);
            Ended(job, null, ref _failed, "failed", cost);
        }
    }

    /// <summary>The label of a verdict: matched or beaten = 0 (the cheaper tier sufficed), reference better = 1.</summary>
    internal static double PremiumNeed(AuditVerdict verdict) => verdict == AuditVerdict.ReferenceBetter ? 1 : 0;

    private static double Score(AuditVerdict verdict) => verdict switch
    {
        AuditVerdict.ServedBetter => 1,
        AuditVerdict.Tie => 0.5,
        _ => 0,
    };

    private async ValueTask AccountAsync(AuditJob job, AuditVerdict? verdict, decimal cost)
    {
        RouteInfo route = job.Route;
        var entry = new RoutingAuditEntry(route.Tenant, route.Target, DefaultRouteContextSelector.TaskOf(route.Request), verdict is null ? null : verdict != AuditVerdict.ReferenceBetter, cost);
        _totals.RecordAudit(entry);
        _ledger?.RecordAudit(entry);
        _metrics.Record(entry);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_spendGate)
        {
            DateOnly today = DateOnly.FromDateTime(now.UtcDateTime);
            _spentToday = (_spendDay == today ? _spentToday : 0m) + cost;
            _spendDay = today;
        }

        if (_options.BudgetKey is { } key && _budgets is not null && cost > 0)
        {
            try
            {
                await _budgets.AddSpendAsync(key, cost, new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero), CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A budget store outage must not fail the audit; the cost is in the ledger and metrics regardless.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.AuditFailed(_logger, route.RouteId, "budget " + key, ex.GetType().Name);
            }
        }
    }

    private void Ended(AuditJob job, AuditVerdict? verdict, ref long counter, string result, decimal cost = 0m)
    {
        Count(ref counter, result);
        AuditEnded?.Invoke(this, new QualityAuditEventArgs(job.Route.RouteId, job.Route.Target, job.Reference.Name, result, verdict, cost));
    }
}
